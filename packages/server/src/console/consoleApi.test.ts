import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { after, test } from 'node:test';
import { io as socketClient } from 'socket.io-client';
import { FakeSite } from '../testing/fakeSite.js';
import { tempStore, testCoordinator } from '../testing/testCoordinator.js';
import type { Coordinator } from '../coordinator.js';
import { resolveOperatorPassword } from './operatorAuth.js';
import { siteStatus } from './consoleViews.js';

const PASSWORD = 'a long operator password';
const stores: (() => void)[] = [];
after(() => stores.forEach((r) => r()));

async function coordinator(overrides: Record<string, unknown> = {}): Promise<Coordinator> {
  const s = tempStore();
  stores.push(s.remove);
  return testCoordinator(s.dir, { console: { password: PASSWORD }, ...overrides });
}

async function signIn(c: Coordinator): Promise<string> {
  const r = await fetch(`${c.url}/console/api/signin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: PASSWORD }) });
  assert.equal(r.status, 200);
  return r.headers.get('set-cookie')!.split(';')[0]!;
}

const call = (c: Coordinator, cookie: string, path: string, method = 'GET', body?: unknown) =>
  fetch(`${c.url}/console/api${path}`, { method, headers: { cookie, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body: body !== undefined ? JSON.stringify(body) : null });

test('a forged or signed-out session cookie is refused', async () => {
  const c = await coordinator();
  try {
    const cookie = await signIn(c);
    assert.equal((await call(c, cookie, '/state')).status, 200);
    const [head, payload, sig] = cookie.split('=')[1]!.split('.');
    const flipped = `${sig!.slice(0, -2)}${sig!.endsWith('AA') ? 'BB' : 'AA'}`;
    assert.equal((await call(c, `fedcl_console=${head}.${payload}.${flipped}`, '/state')).status, 401, 'bad signature');
    const other = JSON.stringify({ alg: 'none' });
    assert.equal((await call(c, `fedcl_console=${Buffer.from(other).toString('base64url')}.${payload}.`, '/state')).status, 401, 'alg none');
    const live = socketClient(`${c.url}/console`, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie } });
    await new Promise<void>((resolve, reject) => (live.once('connect', resolve), live.once('connect_error', reject)));
    const closed = new Promise<string>((resolve) => live.once('disconnect', (reason) => resolve(reason)));
    const out = await call(c, cookie, '/signout', 'POST');
    assert.equal(await closed, 'io server disconnect', 'signing out closes the live connection of that session');
    assert.match(out.headers.get('set-cookie')!, /Max-Age=0/);
    assert.equal((await call(c, cookie, '/state')).status, 401, 'the signed-out session no longer works');
  } finally {
    await c.close();
  }
});

test('round settings outside their bounds are refused naming the field, and change nothing', async () => {
  const c = await coordinator();
  try {
    const cookie = await signIn(c);
    const good = { total: 4, minSites: 2, fraction: 1, quorumFraction: 0.5, minUpdates: 1, deadlineSeconds: 90, stragglers: 'wait-for-deadline' };
    const before = { ...c.config.rounds };
    for (const [patch, field] of [
      [{ deadlineSeconds: 4 }, 'body.deadlineSeconds'],
      [{ minSites: 0 }, 'body.minSites'],
      [{ fraction: 0 }, 'body.fraction'],
      [{ stragglers: 'never' }, 'body.stragglers'],
      [{ minUpdates: 3 }, 'body.minUpdates'],
      [{ extra: 1 }, 'body'],
    ] as const) {
      const r = await call(c, cookie, '/settings/rounds', 'PUT', { ...good, ...patch });
      const body = (await r.json()) as { code: string; message: string };
      assert.equal(r.status, 400, JSON.stringify(patch));
      assert.ok(body.message.startsWith(field), `${JSON.stringify(patch)}: ${body.message}`);
      assert.deepEqual(c.config.rounds, before);
    }
    const ok = await call(c, cookie, '/settings/rounds', 'PUT', good);
    assert.equal(ok.status, 200);
    assert.deepEqual(c.config.rounds, good);
    const a = c.store.searchAudit({ action: 'rounds.settings' })[0]!;
    assert.deepEqual([a.actor, (a.detail.before as { deadlineSeconds: number }).deadlineSeconds, (a.detail.after as { deadlineSeconds: number }).deadlineSeconds], ['operator', 60, 90]);
  } finally {
    await c.close();
  }
});

test('paused, no round opens when the sites connect; started, it opens at once', async () => {
  const c = await coordinator();
  const sites: FakeSite[] = [];
  try {
    const cookie = await signIn(c);
    assert.equal((await call(c, cookie, '/federation/pause', 'POST')).status, 200);
    for (const n of ['a', 'b']) sites.push(await FakeSite.enrol(c.url, n, c.createEnrolmentToken().token));
    await Promise.all(sites.map((s) => s.connect()));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(c.store.getRound(1)!.status, 'waiting');
    const state = (await (await call(c, cookie, '/federation/start', 'POST')).json()) as { paused: string | null };
    assert.equal(state.paused, null);
    await c.waitForRound(1, 'training', 5000);
    assert.deepEqual(c.store.getRound(1)!.selected, ['a', 'b']);
  } finally {
    sites.forEach((s) => s.disconnect());
    await c.close();
  }
});

test('enrolment tokens issued from the console enrol a site once; an expired one is refused', async () => {
  const c = await coordinator();
  try {
    const cookie = await signIn(c);
    const t1 = (await (await call(c, cookie, '/enrolment-tokens', 'POST', { name: 'east', ttlSeconds: 3600 })).json()) as { token: string };
    const t2 = (await (await call(c, cookie, '/enrolment-tokens', 'POST', { ttlSeconds: 3600 })).json()) as { token: string };
    assert.equal((await call(c, cookie, '/enrolment-tokens', 'POST', { ttlSeconds: 10 })).status, 400, 'ttl below 60 s');
    await FakeSite.enrol(c.url, 'east', t1.token);
    const listed = ((await (await call(c, cookie, '/sites')).json()) as { enrolmentTokens: { id: string; name: string | null; siteId: string | null }[] }).enrolmentTokens;
    assert.equal(listed.length, 2);
    assert.equal(listed.find((t) => t.name === 'east')!.siteId, 'east');
    const unused = listed.find((t) => t.name === null)!;
    assert.equal((await call(c, cookie, `/enrolment-tokens/${unused.id}/expire`, 'POST')).status, 200);
    await assert.rejects(FakeSite.enrol(c.url, 'west', t2.token), /expired/);
    assert.equal((await call(c, cookie, `/enrolment-tokens/${unused.id}/expire`, 'POST')).status, 403, 'already expired');
  } finally {
    await c.close();
  }
});

test('audit search: prefixes and text match literally (LIKE wildcards escaped), newest first, paged', async () => {
  const c = await coordinator();
  try {
    const base = c.store.searchAudit({ limit: 1 })[0]?.id ?? 0;
    c.store.audit({ actor: 'site:a_b', action: 'x.one', outcome: 'ok', detail: { note: '100%' } });
    c.store.audit({ actor: 'site:axb', action: 'x.two', outcome: 'refused', code: 'c', detail: {} });
    c.store.audit({ actor: 'operator', action: 'x_three', outcome: 'ok', detail: {} });
    assert.deepEqual(c.store.searchAudit({ actor: 'site:a_' }).map((e) => e.action), ['x.one']);
    assert.deepEqual(c.store.searchAudit({ action: 'x.' }).map((e) => e.action), ['x.two', 'x.one']);
    assert.deepEqual(c.store.searchAudit({ text: '100%' }).map((e) => e.action), ['x.one']);
    assert.deepEqual(c.store.searchAudit({ outcome: 'refused', action: 'x' }).map((e) => e.action), ['x.two']);
    const newest = c.store.searchAudit({ limit: 1 })[0]!;
    assert.deepEqual(c.store.searchAudit({ before: newest.id, limit: 2 }).map((e) => e.id), [base + 2, base + 1]);
  } finally {
    await c.close();
  }
});

test('operator password: env beats config; a generated one is 0600 and the same after a restart', () => {
  const s = tempStore();
  stores.push(s.remove);
  assert.deepEqual(resolveOperatorPassword(s.dir, 'from the config file', { FEDCL_CONSOLE_PASSWORD: 'from the environment' }), { password: 'from the environment', source: { kind: 'env' } });
  assert.equal(resolveOperatorPassword(s.dir, 'from the config file', {}).source.kind, 'config');
  assert.throws(() => resolveOperatorPassword(s.dir, undefined, { FEDCL_CONSOLE_PASSWORD: 'short' }), /needs at least 12/);
  const first = resolveOperatorPassword(s.dir, undefined, {});
  assert.equal(first.source.kind, 'generated');
  assert.ok(first.password.length >= 20);
  assert.equal(statSync(`${s.dir}/console-password`).mode & 0o777, 0o600);
  assert.equal(resolveOperatorPassword(s.dir, undefined, {}).password, first.password);
});

test('site status from revocation, connection and the open round', () => {
  const training = { round: 3, status: 'training', selected: ['a', 'b'] } as unknown as Parameters<typeof siteStatus>[0]['round'];
  const published = { round: 3, status: 'published', selected: ['a', 'b'] } as unknown as Parameters<typeof siteStatus>[0]['round'];
  const s = (id: string, o: { revoked?: boolean; connected?: boolean; accepted?: boolean; round?: typeof training }) =>
    siteStatus({ id, revoked: o.revoked ?? false, connected: o.connected ?? true, accepted: o.accepted ?? false, round: o.round });
  assert.equal(s('a', { revoked: true, round: training }), 'revoked');
  assert.equal(s('a', { connected: false, round: training }), 'offline');
  assert.equal(s('a', { round: training }), 'training');
  assert.equal(s('a', { round: training, accepted: true }), 'online');
  assert.equal(s('c', { round: training }), 'idle');
  assert.equal(s('c', { round: published }), 'online');
  assert.equal(s('a', { round: undefined }), 'online');
});
