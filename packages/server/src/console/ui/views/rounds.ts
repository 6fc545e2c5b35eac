import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { formatBytes, formatTime, relativeTime } from '../format.js';
import type { RoundView, View, ViewContext } from '../types.js';

const badge = (status: string) => h('span', { class: `badge ${status}`, 'data-status': status }, status);

function currentCard(r: RoundView | undefined, now: number) {
  if (!r) return h('section', { class: 'card' }, h('p', {}, 'No round yet: the coordinator waits for a model and enough sites.'));
  const reported = r.participants.map((p) => p.site);
  return h(
    'section',
    { class: 'card current', id: 'current-round', 'data-round': r.round, 'data-status': r.status },
    h('h2', {}, `Round ${r.round} `, badge(r.status)),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Global model'), h('dd', {}, `v${r.globalVersion}${r.resultVersion !== null ? ` → v${r.resultVersion}` : ''}`),
      h('dt', {}, 'Participants'), h('dd', { id: 'current-participants' }, `${reported.length} of ${r.selected.length} selected reported (quorum ${r.quorum})`),
      h('dt', {}, 'Selected'), h('dd', {}, r.selected.map((s) => h('span', { class: `chip ${reported.includes(s) ? 'done' : ''}` }, s))),
      h('dt', {}, 'Deadline'), h('dd', {}, r.deadline ? `${formatTime(r.deadline)} (${relativeTime(r.deadline, now)})` : '—'),
      h('dt', {}, 'Bytes in / out'), h('dd', {}, `${formatBytes(r.bytesIn)} / ${formatBytes(r.bytesOut)}`),
      h('dt', {}, 'Closed'), h('dd', {}, r.closeReason ?? '—'),
    ),
  );
}

function table(rounds: RoundView[]) {
  return h(
    'table',
    { class: 'grid', id: 'rounds-table' },
    h('thead', {}, h('tr', {}, ['Round', 'State', 'Model', 'Participants', 'Deadline', 'Closed', 'Bytes in', 'Bytes out', 'Failures'].map((c) => h('th', {}, c)))),
    h(
      'tbody',
      {},
      rounds.map((r) =>
        h(
          'tr',
          { 'data-round': r.round, 'data-status': r.status },
          h('td', {}, r.round),
          h('td', {}, badge(r.status)),
          h('td', {}, `v${r.globalVersion}${r.resultVersion !== null ? ` → v${r.resultVersion}` : ''}`),
          h('td', {}, r.participants.length ? r.participants.map((p) => `${p.site} (${p.samples})`).join(', ') : `${r.selected.length} selected`),
          h('td', {}, formatTime(r.deadline)),
          h('td', { class: 'reason' }, r.closedAt ? `${formatTime(r.closedAt)} — ${r.closeReason ?? ''}` : '—'),
          h('td', { class: 'num' }, formatBytes(r.bytesIn)),
          h('td', { class: 'num' }, formatBytes(r.bytesOut)),
          h('td', { class: 'failures' }, r.failures.length ? h('ul', {}, r.failures.map((f) => h('li', {}, h('b', {}, f.site), ` ${f.code ?? ''}: ${f.message}`))) : '—'),
        ),
      ),
    ),
  );
}

export function roundsView(): View {
  let rounds: RoundView[] = [];
  const render = (ctx: ViewContext) => {
    const open = rounds.find((r) => r.status === 'training' || r.status === 'aggregating') ?? rounds[0];
    mount(ctx.root, h('h1', {}, 'Rounds'), currentCard(open, Date.now()), h('h2', {}, 'History'), table(rounds));
  };
  const load = async (ctx: ViewContext) => {
    rounds = await api<RoundView[]>('/rounds');
    render(ctx);
  };
  return { show: load, refresh: (ctx, topics) => (topics.includes('rounds') || topics.includes('tick') ? load(ctx) : Promise.resolve()) };
}
