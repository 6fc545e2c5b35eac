import { CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Title, Tooltip } from 'chart.js';
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import type { MetricSeries, View, ViewContext } from '../types.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Legend, Tooltip, Title);

const PALETTE = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d'];

/** Metrics worth a chart first; any other numeric metric the sites report follows. */
const PREFERRED = ['loss', 'knnAccuracy', 'probeAccuracy', 'knn', 'accuracy'];

export function chartsView(): View {
  let charts: Chart[] = [];
  const render = (ctx: ViewContext, s: MetricSeries) => {
    charts.forEach((c) => c.destroy());
    charts = [];
    const metrics = [...s.metrics].sort((a, b) => (PREFERRED.indexOf(a) + 1 || 99) - (PREFERRED.indexOf(b) + 1 || 99) || a.localeCompare(b));
    const panels = metrics.map((m) => h('figure', { class: 'chart', 'data-metric': m }, h('canvas', { 'aria-label': `${m} per round` })));
    mount(
      ctx.root,
      h('h1', {}, 'Charts'),
      h('p', { class: 'muted' }, 'Per round: the sample-weighted federation value (thick) and each site’s own (thin), as reported with the updates.'),
      s.rounds.length === 0 ? h('p', { id: 'no-charts' }, 'No published round yet.') : h('div', { class: 'charts' }, panels),
    );
    metrics.forEach((m, i) => {
      const labels = s.rounds.map((r) => `round ${r.round}`);
      const datasets = [
        { label: 'federation', data: s.rounds.map((r) => r.global[m] ?? null), borderColor: '#111827', backgroundColor: '#111827', borderWidth: 3, spanGaps: true },
        ...s.sites.map((site, k) => ({
          label: site,
          data: s.rounds.map((r) => r.sites[site]?.[m] ?? null),
          borderColor: PALETTE[k % PALETTE.length],
          backgroundColor: PALETTE[k % PALETTE.length],
          borderWidth: 1.5,
          spanGaps: true,
        })),
      ];
      charts.push(
        new Chart(panels[i]!.querySelector('canvas')!, {
          type: 'line',
          data: { labels, datasets },
          options: { animation: false, responsive: true, maintainAspectRatio: false, plugins: { title: { display: true, text: m }, legend: { position: 'bottom' } }, scales: { y: { beginAtZero: false } } },
        }),
      );
    });
  };
  const load = async (ctx: ViewContext) => render(ctx, await api<MetricSeries>('/metrics'));
  return { show: load, refresh: (ctx, topics) => (topics.includes('metrics') ? load(ctx) : Promise.resolve()) };
}
