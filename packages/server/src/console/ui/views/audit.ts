import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { formatTime } from '../format.js';
import type { AuditEntry, View, ViewContext } from '../types.js';

const PAGE = 100;

export function auditView(): View {
  let entries: AuditEntry[] = [];
  let more = false;
  const body = h('tbody');
  const form = h(
    'form',
    { class: 'inline', id: 'audit-filter' },
    h('label', {}, 'Action ', h('input', { name: 'action', type: 'text', placeholder: 'e.g. round. or site.revoke' })),
    h('label', {}, 'Actor ', h('input', { name: 'actor', type: 'text', placeholder: 'e.g. site:north' })),
    h('label', {}, 'Outcome ', h('select', { name: 'outcome' }, h('option', { value: '' }, 'any'), h('option', { value: 'ok' }, 'ok'), h('option', { value: 'refused' }, 'refused'))),
    h('label', {}, 'Text ', h('input', { name: 'text', type: 'search' })),
    h('button', { type: 'submit' }, 'Filter'),
  );
  const moreButton = h('button', { id: 'audit-more' }, 'Older entries');

  const query = (before?: number) => {
    const f = new FormData(form);
    const q = new URLSearchParams();
    for (const k of ['action', 'actor', 'outcome', 'text']) {
      const v = String(f.get(k) ?? '').trim();
      if (v) q.set(k, v);
    }
    q.set('limit', String(PAGE));
    if (before) q.set('before', String(before));
    return `/audit?${q}`;
  };
  const rows = () =>
    entries.map((e) =>
      h(
        'tr',
        { 'data-action': e.action, 'data-outcome': e.outcome },
        h('td', { class: 'num' }, e.id),
        h('td', {}, formatTime(e.at)),
        h('td', {}, e.actor),
        h('td', {}, e.action),
        h('td', {}, h('span', { class: `badge ${e.outcome}` }, e.outcome)),
        h('td', {}, e.code ?? ''),
        h('td', { class: 'detail' }, JSON.stringify(e.detail)),
      ),
    );
  const load = async () => {
    const page = await api<AuditEntry[]>(query());
    entries = page;
    more = page.length === PAGE;
    mount(body, rows());
    moreButton.hidden = !more;
  };
  form.addEventListener('submit', (e) => (e.preventDefault(), void load()));
  moreButton.addEventListener('click', () => {
    void api<AuditEntry[]>(query(entries.at(-1)?.id)).then((page) => {
      entries = [...entries, ...page];
      more = page.length === PAGE;
      mount(body, rows());
      moreButton.hidden = !more;
    });
  });

  return {
    show: async (ctx: ViewContext) => {
      mount(
        ctx.root,
        h('h1', {}, 'Audit log'),
        form,
        h('table', { class: 'grid', id: 'audit-table' }, h('thead', {}, h('tr', {}, ['#', 'Time (UTC)', 'Actor', 'Action', 'Outcome', 'Code', 'Detail'].map((c) => h('th', {}, c)))), body),
        moreButton,
      );
      await load();
    },
    // Live while looking at the newest entries; a reader paging back is not disturbed.
    refresh: (_ctx, topics) => (topics.includes('audit') && entries.length <= PAGE ? load() : Promise.resolve()),
  };
}
