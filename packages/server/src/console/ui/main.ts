import { io } from 'socket.io-client';
import { api } from './api.js';
import { h, mount } from './dom.js';
import type { ConsoleState, View, ViewContext } from './types.js';
import { auditView } from './views/audit.js';
import { chartsView } from './views/charts.js';
import { modelsView } from './views/models.js';
import { roundsView } from './views/rounds.js';
import { settingsView } from './views/settings.js';
import { sitesView } from './views/sites.js';

const VIEWS: { id: string; label: string; make: () => View }[] = [
  { id: 'rounds', label: 'Rounds', make: roundsView },
  { id: 'sites', label: 'Sites', make: sitesView },
  { id: 'charts', label: 'Charts', make: chartsView },
  { id: 'models', label: 'Models', make: modelsView },
  { id: 'audit', label: 'Audit log', make: auditView },
  { id: 'federation', label: 'Federation', make: settingsView },
];

let state: ConsoleState;
const views = new Map(VIEWS.map((v) => [v.id, v.make()]));
const root = h('main', { id: 'view' });
const status = h('div', { class: 'status' });
const live = h('span', { class: 'live', id: 'live', 'data-live': 'no' }, 'connecting…');
const nav = h('nav', {}, VIEWS.map((v) => h('a', { href: `#${v.id}`, 'data-view': v.id }, v.label)));

const ctx: ViewContext = {
  root,
  state: () => state,
  refreshState: async () => {
    state = await api<ConsoleState>('/state');
    renderStatus();
  },
};

function renderStatus(): void {
  const r = state.round;
  mount(
    status,
    h('span', { class: `badge ${state.paused ? 'paused' : 'running'}`, id: 'run-badge' }, state.paused ? 'paused' : 'running'),
    r ? h('span', {}, `round ${r.round}: `, h('span', { class: `badge ${r.status}`, id: 'round-badge' }, r.status)) : 'no round',
    h('span', {}, `${state.connectedSites.length} site${state.connectedSites.length === 1 ? '' : 's'} connected`),
    h('span', {}, state.latestVersion !== null ? `model v${state.latestVersion}` : 'no model'),
  );
}

const current = (): string => {
  const id = location.hash.slice(1);
  return views.has(id) ? id : 'rounds';
};

async function show(): Promise<void> {
  const id = current();
  for (const a of Array.from(nav.querySelectorAll('a'))) a.classList.toggle('active', a.dataset.view === id);
  await views.get(id)!.show(ctx);
}

// Pushes arrive in bursts (a round closes: several events at once): re-read once per burst.
let pending = new Set<string>();
let timer: number | undefined;
function changed(topics: string[]): void {
  topics.forEach((t) => pending.add(t));
  if (timer !== undefined) return;
  timer = window.setTimeout(() => {
    const t = [...pending];
    pending = new Set();
    timer = undefined;
    void ctx.refreshState().then(() => views.get(current())!.refresh(ctx, t));
  }, 150);
}

async function start(): Promise<void> {
  await ctx.refreshState();
  mount(
    document.getElementById('app')!,
    h(
      'header',
      {},
      h('div', { class: 'brand' }, 'fedcl ', h('span', {}, 'console'), h('em', { id: 'federation-name' }, state.federation)),
      status,
      live,
      h('button', { class: 'link', id: 'signout', onclick: () => void api('/signout', { method: 'POST' }).then(() => location.assign('/console/signin')) }, 'Sign out'),
    ),
    nav,
    root,
  );
  window.addEventListener('hashchange', () => void show());
  await show();
  const socket = io('/console', { transports: ['websocket'] });
  socket.on('connect', () => ((live.textContent = 'live'), (live.dataset.live = 'yes'), changed(['rounds', 'sites', 'models', 'metrics', 'audit'])));
  socket.on('disconnect', () => ((live.textContent = 'reconnecting…'), (live.dataset.live = 'no')));
  socket.on('connect_error', (err: Error) => {
    live.textContent = `offline: ${err.message}`;
    live.dataset.live = 'no';
  });
  socket.on('round', () => changed(['rounds']));
  socket.on('changed', (m: { topics: string[] }) => changed(m.topics));
  // Deadlines and "last seen" count down without pushes.
  window.setInterval(() => changed(['tick']), 15000);
}

void start();
