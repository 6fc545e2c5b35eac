import { api } from '../api.js';
import { h, mount } from '../dom.js';
import type { ConsoleState, View, ViewContext } from '../types.js';

const FIELDS: { key: keyof ConsoleState['settings']; label: string; min: number; max: number; step: string; help: string }[] = [
  { key: 'total', label: 'Rounds to run', min: 0, max: 100000, step: '1', help: '0 = until stopped' },
  { key: 'minSites', label: 'Minimum connected sites', min: 1, max: 10000, step: '1', help: 'to open a round' },
  { key: 'fraction', label: 'Fraction selected', min: 0.01, max: 1, step: '0.01', help: 'of connected sites, at least the minimum' },
  { key: 'quorumFraction', label: 'Quorum fraction', min: 0.01, max: 1, step: '0.01', help: 'of selected sites that closes a round early' },
  { key: 'minUpdates', label: 'Minimum updates', min: 1, max: 10000, step: '1', help: 'to aggregate at the deadline (≤ minimum sites)' },
  { key: 'deadlineSeconds', label: 'Deadline (seconds)', min: 5, max: 604800, step: '1', help: 'per round' },
];

export function settingsView(): View {
  let message = '';
  let error = '';
  const render = (ctx: ViewContext) => {
    const s = ctx.state();
    const form = h(
      'form',
      { id: 'settings-form', class: 'stack', novalidate: true, onsubmit: (e: Event) => (e.preventDefault(), void save(ctx, e.target as HTMLFormElement)) },
      FIELDS.map((f) =>
        h('label', {}, h('span', {}, f.label), h('input', { name: f.key, type: 'number', min: f.min, max: f.max, step: f.step, value: s.settings[f.key] as number, required: true }), h('small', {}, f.help)),
      ),
      h(
        'label',
        {},
        h('span', {}, 'Stragglers'),
        h(
          'select',
          { name: 'stragglers' },
          ['close-at-quorum', 'wait-for-deadline'].map((v) => h('option', { value: v, selected: s.settings.stragglers === v }, v)),
        ),
        h('small', {}, 'close a round at quorum, or always wait for the deadline'),
      ),
      h('button', { type: 'submit' }, 'Save round settings'),
      message && h('p', { class: 'notice', id: 'settings-saved' }, message),
      error && h('p', { class: 'error', role: 'alert', id: 'settings-error' }, error),
    );
    mount(
      ctx.root,
      h('h1', {}, 'Federation'),
      h(
        'section',
        { class: 'card' },
        h('h2', {}, 'Run'),
        h('p', { id: 'run-state' }, s.paused ? `Paused since ${s.paused.replace('T', ' ').slice(0, 19)}: no new round opens; a round already training runs to its end.` : 'Running: a round opens whenever enough sites are connected.'),
        s.paused
          ? h('button', { id: 'start-button', onclick: () => void act(ctx, 'start') }, 'Start federation')
          : h('button', { id: 'pause-button', class: 'danger', onclick: () => void act(ctx, 'pause') }, 'Pause federation'),
      ),
      h('section', { class: 'card' }, h('h2', {}, 'Round settings'), h('p', { class: 'muted' }, 'Apply to rounds opened from now on.'), form),
    );
  };
  const act = async (ctx: ViewContext, what: 'start' | 'pause') => {
    await api(`/federation/${what}`, { method: 'POST' });
    await ctx.refreshState();
    render(ctx);
  };
  const save = async (ctx: ViewContext, form: HTMLFormElement) => {
    const f = new FormData(form);
    const body: Record<string, unknown> = Object.fromEntries(FIELDS.map((x) => [x.key, Number(f.get(x.key))]));
    body.stragglers = f.get('stragglers');
    try {
      await api('/settings/rounds', { method: 'PUT', body });
      message = 'Saved.';
      error = '';
    } catch (e) {
      error = (e as Error).message;
      message = '';
    }
    await ctx.refreshState();
    render(ctx);
  };
  return {
    show: async (ctx) => ((message = ''), (error = ''), render(ctx)),
    refresh: async () => undefined,
  };
}
