import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { formatMetric, formatTime, relativeTime } from '../format.js';
import type { EnrolmentTokenView, SiteView, View, ViewContext } from '../types.js';

export function sitesView(): View {
  let data: { sites: SiteView[]; enrolmentTokens: EnrolmentTokenView[] } = { sites: [], enrolmentTokens: [] };
  let confirming: string | null = null;
  let created: { token: string; expiresAt: number } | null = null;
  let error = '';

  const revokeCell = (ctx: ViewContext, s: SiteView) => {
    if (s.revokedAt) return h('span', { class: 'muted' }, `revoked ${formatTime(s.revokedAt)}: ${s.revokedReason ?? ''}`);
    if (confirming !== s.id) return h('button', { class: 'danger', 'data-action': 'revoke', onclick: () => ((confirming = s.id), render(ctx)) }, 'Revoke…');
    const reason = h('input', { type: 'text', placeholder: 'reason', 'aria-label': `reason for revoking ${s.id}`, name: 'reason' });
    return h(
      'span',
      { class: 'confirm' },
      reason,
      h('button', { class: 'danger', 'data-action': 'confirm-revoke', onclick: () => void revoke(ctx, s.id, reason.value) }, 'Confirm revoke'),
      h('button', { onclick: () => ((confirming = null), render(ctx)) }, 'Cancel'),
    );
  };

  const revoke = async (ctx: ViewContext, id: string, reason: string) => {
    try {
      await api(`/sites/${encodeURIComponent(id)}/revoke`, { method: 'POST', body: reason ? { reason } : {} });
      confirming = null;
      error = '';
    } catch (e) {
      error = (e as Error).message;
    }
    await load(ctx);
  };

  const createToken = async (ctx: ViewContext, form: HTMLFormElement) => {
    const f = new FormData(form);
    const name = String(f.get('name') ?? '').trim();
    try {
      created = await api('/enrolment-tokens', { method: 'POST', body: { ...(name ? { name } : {}), ttlSeconds: Number(f.get('ttl')) * 3600 } });
      error = '';
    } catch (e) {
      error = (e as Error).message;
    }
    await load(ctx);
  };

  const render = (ctx: ViewContext) => {
    const now = Date.now();
    mount(
      ctx.root,
      h('h1', {}, 'Sites'),
      error && h('p', { class: 'error', role: 'alert' }, error),
      h(
        'table',
        { class: 'grid', id: 'sites-table' },
        h('thead', {}, h('tr', {}, ['Site', 'Status', 'Last seen', 'Samples', 'Compute backend', 'Model version', 'Updates', 'Last metrics', 'Enrolled', ''].map((c) => h('th', {}, c)))),
        h(
          'tbody',
          {},
          data.sites.map((s) =>
            h(
              'tr',
              { 'data-site': s.id, 'data-status': s.status },
              h('td', {}, h('b', {}, s.id)),
              h('td', {}, h('span', { class: `badge ${s.status}` }, s.status)),
              h('td', { title: s.lastSeenAt ?? '' }, s.connected ? 'connected now' : relativeTime(s.lastSeenAt, now)),
              h('td', { class: 'num' }, s.samples ?? '—'),
              h('td', {}, s.backend ?? '—'),
              h('td', {}, s.modelVersion !== null ? `v${s.modelVersion}` : '—'),
              h('td', { class: 'num' }, s.updates),
              h('td', {}, Object.entries(s.metrics).map(([k, v]) => `${k} ${formatMetric(v)}`).join(', ') || '—'),
              h('td', {}, formatTime(s.enrolledAt)),
              h('td', {}, revokeCell(ctx, s)),
            ),
          ),
        ),
      ),
      h('h2', {}, 'Enrolment tokens'),
      h(
        'form',
        { class: 'inline', id: 'token-form', onsubmit: (e: Event) => (e.preventDefault(), void createToken(ctx, e.target as HTMLFormElement)) },
        h('label', {}, 'Site name (optional) ', h('input', { name: 'name', type: 'text', pattern: '[A-Za-z0-9_.:\\-]{1,128}' })),
        h('label', {}, 'Valid for (hours) ', h('input', { name: 'ttl', type: 'number', min: 1, max: 720, value: 24, required: true })),
        h('button', { type: 'submit' }, 'Issue token'),
      ),
      created && h('p', { class: 'notice', id: 'new-token' }, 'New one-time token (shown once): ', h('code', {}, created.token), ` — expires ${formatTime(new Date(created.expiresAt * 1000).toISOString())}`),
      h(
        'table',
        { class: 'grid', id: 'tokens-table' },
        h('thead', {}, h('tr', {}, ['Token id', 'For site', 'Issued', 'Expires', 'Used by', ''].map((c) => h('th', {}, c)))),
        h(
          'tbody',
          {},
          data.enrolmentTokens.map((t) => {
            const expired = t.expiresAt * 1000 < now;
            return h(
              'tr',
              {},
              h('td', {}, h('code', {}, t.id)),
              h('td', {}, t.name ?? 'any'),
              h('td', {}, formatTime(t.createdAt)),
              h('td', {}, expired && !t.usedAt ? 'expired' : formatTime(new Date(t.expiresAt * 1000).toISOString())),
              h('td', {}, t.usedAt ? `${t.siteId} at ${formatTime(t.usedAt)}` : '—'),
              h('td', {}, !t.usedAt && !expired ? h('button', { onclick: () => void api(`/enrolment-tokens/${t.id}/expire`, { method: 'POST' }).then(() => load(ctx)) }, 'Expire') : ''),
            );
          }),
        ),
      ),
    );
  };

  const load = async (ctx: ViewContext) => {
    data = await api('/sites');
    render(ctx);
  };
  // While a revocation is being confirmed, a push must not wipe the reason being typed.
  return { show: load, refresh: (ctx, topics) => (confirming === null && (topics.includes('sites') || topics.includes('tick')) ? load(ctx) : Promise.resolve()) };
}
