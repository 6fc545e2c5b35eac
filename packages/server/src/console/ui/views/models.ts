import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { formatBytes, formatMetric, formatTime } from '../format.js';
import type { ModelView, View, ViewContext } from '../types.js';

const metricsText = (m: Record<string, number>) => Object.entries(m).map(([k, v]) => `${k} ${formatMetric(v)}`).join(', ') || '—';

function detail(m: ModelView) {
  const man = m.manifest;
  const [head, , sig] = m.signature.jws.split('.');
  const dl = (format: string, label: string) => h('a', { class: 'button', href: `/console/api/models/${m.version}/download?format=${format}`, download: '', 'data-format': format }, label);
  return h(
    'section',
    { class: 'card', id: 'model-detail', 'data-version': m.version },
    h('h2', {}, `Model v${m.version}`, m.round !== null ? ` — round ${m.round}` : ' — initial'),
    h('div', { class: 'downloads' }, 'Download: ', dl('safetensors', 'safetensors'), dl('tfjs', 'tfjs (model.json + weights.bin, .tar)'), dl('fclw', 'fedcl weights (FCLW)')),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Parents'), h('dd', {}, man.parents.length ? man.parents.map((p) => `v${p}`).join(', ') : 'none (initial)'),
      h('dt', {}, 'Created'), h('dd', {}, formatTime(man.createdAt)),
      h('dt', {}, 'Samples'), h('dd', {}, man.samples),
      h('dt', {}, 'Metrics'), h('dd', {}, metricsText(man.metrics)),
      h('dt', {}, 'Aggregator'), h('dd', {}, `${man.aggregator.name} ${JSON.stringify(man.aggregator.params)}`),
      h('dt', {}, 'Config hash'), h('dd', {}, h('code', {}, man.configHash)),
      h('dt', {}, 'Weights'), h('dd', {}, `${man.tensors.length} tensors, ${formatBytes(man.bytes)} ${man.dtype}, sha256 `, h('code', {}, man.sha256)),
      h('dt', {}, 'Policy'), h('dd', {}, `prefix ${man.policy.prefix}, exclude ${man.policy.exclude.join(', ') || '—'}`),
      h('dt', {}, 'Signature'), h('dd', { class: 'sig' }, `${JSON.parse(atob(head!.replace(/-/g, '+').replace(/_/g, '/'))).alg as string} by the coordinator key: `, h('code', {}, `${sig!.slice(0, 32)}…`)),
    ),
    h('h3', {}, 'Sites'),
    h(
      'table',
      { class: 'grid' },
      h('thead', {}, h('tr', {}, ['Site', 'Samples', 'Backend', 'Metrics', 'Update'].map((c) => h('th', {}, c)))),
      h('tbody', {}, man.sites.map((s) => h('tr', {}, h('td', {}, s.site), h('td', { class: 'num' }, s.samples), h('td', {}, s.backend ?? '—'), h('td', {}, metricsText(s.metrics)), h('td', {}, h('code', {}, s.updateId.slice(0, 10)))))),
    ),
  );
}

export function modelsView(): View {
  let models: ModelView[] = [];
  let selected: number | null = null;
  const render = (ctx: ViewContext) => {
    const chosen = models.find((m) => m.version === selected) ?? models[0];
    mount(
      ctx.root,
      h('h1', {}, 'Model versions'),
      h(
        'div',
        { class: 'split' },
        h(
          'table',
          { class: 'grid', id: 'models-table' },
          h('thead', {}, h('tr', {}, ['Version', 'Round', 'Sites', 'Samples', 'Loss', 'Size', 'Created'].map((c) => h('th', {}, c)))),
          h(
            'tbody',
            {},
            models.map((m) =>
              h(
                'tr',
                { class: m === chosen ? 'selected' : '', 'data-version': m.version, onclick: () => ((selected = m.version), render(ctx)) },
                h('td', {}, `v${m.version}`),
                h('td', {}, m.round ?? 'initial'),
                h('td', {}, m.manifest.sites.map((s) => s.site).join(', ') || '—'),
                h('td', { class: 'num' }, m.manifest.samples),
                h('td', { class: 'num' }, formatMetric(m.manifest.metrics.loss)),
                h('td', { class: 'num' }, formatBytes(m.bytes)),
                h('td', {}, formatTime(m.createdAt)),
              ),
            ),
          ),
        ),
        chosen ? detail(chosen) : h('p', {}, 'No model yet.'),
      ),
    );
  };
  const load = async (ctx: ViewContext) => {
    models = await api<ModelView[]>('/models');
    render(ctx);
  };
  return { show: load, refresh: (ctx, topics) => (topics.includes('models') ? load(ctx) : Promise.resolve()) };
}
