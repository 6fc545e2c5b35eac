import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createSiteAssertion } from '@fedcl/protocol';
import { startCoordinator, type Coordinator } from './coordinator.js';
import { FakeSite } from './testing/fakeSite.js';
import { tempStore, testCoordinator } from './testing/testCoordinator.js';

const ADMIN = 'admin-token-for-tests-0123456789';
const store = tempStore();
let c: Coordinator;
let site: FakeSite;

before(async () => {
  c = await testCoordinator(store.dir, { rounds: { minSites: 5 } });
  site = await FakeSite.enrol(c.url, 'site-a', c.createEnrolmentToken({ name: 'site-a' }).token);
});
after(async () => {
  site.disconnect();
  await c.close();
  store.remove();
});

const get = async (path: string, token?: string) => {
  const res = await fetch(`${c.url}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & unknown[] };
};
const post = async (path: string, body: unknown, token?: string) => {
  const res = await fetch(`${c.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

test('health is public; the OpenAPI document is generated from the route schemas', async () => {
  const h = await get('/health');
  assert.deepEqual(h.body, { status: 'ok', protocol: 1, federation: 'test', round: { round: 1, status: 'waiting' } });
  const doc = (await get('/openapi.json')).body as unknown as { openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { required: string[]; properties: Record<string, unknown> } }> } }>> };
  assert.match(doc.openapi, /^3\./);
  for (const p of ['/health', '/keys', '/enrol', '/token', '/sites', '/sites/{id}/revoke', '/rounds', '/rounds/{round}', '/models', '/models/{version}/manifest', '/models/{version}/weights', '/metrics', '/audit']) assert.ok(doc.paths[p], `missing ${p}`);
  const enrol = doc.paths['/enrol']!.post!.requestBody!.content['application/json']!.schema;
  assert.deepEqual([...enrol.required].sort(), ['name', 'publicKey', 'token']);
  assert.ok(enrol.properties.publicKey);
});

test('admin routes need the admin token; site routes accept a site JWT or the admin token', async () => {
  assert.equal((await get('/sites')).body.code, 'token.missing');
  assert.equal((await get('/sites', 'wrong-token')).status, 401);
  assert.equal((await get('/audit', site.token)).status, 401, 'a site cannot read the audit log');
  const sites = await get('/sites', ADMIN);
  assert.equal(sites.status, 200);
  assert.deepEqual((sites.body as unknown as { id: string; revokedAt: null }[]).map((s) => [s.id, s.revokedAt]), [['site-a', null]]);
  assert.equal((await get('/rounds', site.token)).status, 200);
  const models = await get('/models', site.token);
  assert.deepEqual((models.body as unknown as { version: number }[]).map((m) => m.version), [0]);
  const metrics = await get('/metrics', ADMIN);
  assert.equal(metrics.body.sitesEnrolled, 1);
  assert.equal(metrics.body.latestVersion, 0);
});

test('token refresh with a site-key assertion; a replayed assertion and a foreign-key assertion are refused', async () => {
  const assertion = await createSiteAssertion(site.key.privateKey, { siteId: 'site-a', audience: 'fedcl:test/token' });
  const fresh = await post('/token', { assertion });
  assert.equal(fresh.status, 200);
  assert.equal((await get('/rounds', String(fresh.body.accessToken))).status, 200);
  const replay = await post('/token', { assertion });
  assert.equal(replay.status, 401);
  assert.match(String(replay.body.message), /already used/);
  const other = await FakeSite.enrol(c.url, 'site-b', c.createEnrolmentToken().token);
  const foreign = await createSiteAssertion(other.key.privateKey, { siteId: 'site-a', audience: 'fedcl:test/token' });
  assert.equal((await post('/token', { assertion: foreign })).body.code, 'token.forged');
});

test('revoking a site refuses its refresh, its JWT and new connections, and is audited', async () => {
  await site.connect();
  const dropped = new Promise<string>((resolve) => site.socket!.once('disconnect', (reason) => resolve(reason)));
  const r = await post('/sites/site-a/revoke', { reason: 'decommissioned' }, ADMIN);
  assert.equal(r.status, 200);
  assert.ok(r.body.revokedAt);
  assert.equal(await dropped, 'io server disconnect', 'the open connection of a revoked site is closed');
  const refresh = await site.refreshToken();
  assert.deepEqual([refresh.status, refresh.body.code], [403, 'site.revoked']);
  const rounds = await get('/rounds', site.token);
  assert.deepEqual([rounds.status, rounds.body.code], [401, 'token.revoked']);
  await assert.rejects(site.connect(), (e: Error & { data?: { code: string } }) => e.data?.code === 'token.revoked' && /decommissioned/.test(e.message));
  const audit = (await get('/audit?outcome=refused&limit=1000', ADMIN)).body as unknown as { code: string; action: string }[];
  for (const code of ['token.missing', 'token.invalid', 'token.forged', 'site.revoked', 'token.revoked']) assert.ok(audit.some((e) => e.code === code), `no audit entry ${code}`);
  const ok = (await get('/audit?outcome=ok&limit=1000', ADMIN)).body as unknown as { action: string }[];
  assert.ok(ok.some((e) => e.action === 'site.revoke'));
});

test('extra routes (e.g. the console) are registered with the guards and the shared context', async () => {
  const dir = tempStore();
  const c2 = await startCoordinatorWithExtra(dir.dir);
  try {
    const res = await fetch(`${c2.url}/console/whoami`, { headers: { authorization: `Bearer ${ADMIN}` } });
    assert.deepEqual(await res.json(), { federation: 'test', sites: 0 });
    assert.equal((await fetch(`${c2.url}/console/whoami`)).status, 401);
  } finally {
    await c2.close();
    dir.remove();
  }
});

function startCoordinatorWithExtra(dir: string): Promise<Coordinator> {
  return startCoordinator(
    { federation: 'test', listen: { host: '127.0.0.1', port: 0 }, store: dir, adminToken: ADMIN },
    { routes: async (app, ctx, guards) => void app.get('/console/whoami', { preHandler: guards.adminOnly(ctx) }, async () => ({ federation: ctx.config.federation, sites: ctx.store.listSites().length })) },
  );
}
