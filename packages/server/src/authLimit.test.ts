import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSiteAssertion, exportPublicJwk, generateSigningKeyPair } from '@fedcl/protocol';
import { FakeSite } from './testing/fakeSite.js';
import { tempStore, testCoordinator } from './testing/testCoordinator.js';

test('/enrol and /token: after N refusals from one address in the window it gets 429 + Retry-After, audited; nothing is redeemed; the window passes', async () => {
  const store = tempStore();
  const c = await testCoordinator(store.dir, { limits: { authFailures: 3, authWindowSeconds: 1.5 } });
  try {
    const publicKey = await exportPublicJwk((await generateSigningKeyPair()).publicKey);
    const enrol = async (token: string, name = 'site-x') => {
      const res = await fetch(`${c.url}/enrol`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, name, publicKey }) });
      return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { code?: string; message?: string; siteId?: string } };
    };
    // Three guessed tokens are refused as such…
    for (let i = 0; i < 3; i++) assert.equal((await enrol(`guess-${i}-${'x'.repeat(30)}`)).body.code, 'enrolment.invalid_token');
    // …then even a valid one is refused without being redeemed.
    const good = c.createEnrolmentToken({ name: 'site-x' }).token;
    const blocked = await enrol(good);
    assert.equal(blocked.status, 429);
    assert.equal(blocked.body.code, 'request.rate_limited');
    assert.ok(Number(blocked.retryAfter) >= 1 && Number(blocked.retryAfter) <= 2, `retry-after ${blocked.retryAfter}`);
    assert.match(blocked.body.message!, /too many refused requests/);
    assert.equal(c.store.getSite('site-x'), undefined, 'no site enrolled while limited');
    const audited = c.store.searchAudit({ action: 'site.enrol' }).filter((a) => a.code === 'request.rate_limited');
    assert.equal(audited.length, 1);
    // The same address is limited on /token too (one budget for both routes).
    const tokenRes = await fetch(`${c.url}/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ assertion: 'a.b.c' }) });
    assert.equal(tokenRes.status, 429);
    // Once the oldest failure leaves the window, the token still works: it was never used.
    await new Promise((r) => setTimeout(r, 1600));
    const ok = await enrol(good);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.siteId, 'site-x');

    // Successful requests do not count: many valid refreshes in a row are all served.
    const site = await FakeSite.enrol(c.url, 'site-y', c.createEnrolmentToken({ name: 'site-y' }).token);
    for (let i = 0; i < 5; i++) {
      const assertion = await createSiteAssertion(site.key.privateKey, { siteId: 'site-y', audience: 'fedcl:test/token' });
      const r = await fetch(`${c.url}/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ assertion }) });
      assert.equal(r.status, 200);
    }
    site.disconnect();
  } finally {
    await c.close();
    store.remove();
  }
});
