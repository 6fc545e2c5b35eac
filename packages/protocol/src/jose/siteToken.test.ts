import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeJwt, SignJWT, UnsecuredJWT } from 'jose';
import { ProtocolError } from '../errors.js';
import { exportPublicJwk, generateSigningKeyPair, jwkThumbprint } from './keys.js';
import { assertionSiteId, createSiteAssertion, verifySiteAssertion } from './siteAssertion.js';
import { issueSiteToken, verifySiteToken } from './siteToken.js';

const code = (c: string) => (e: unknown) => e instanceof ProtocolError && e.code === c;
const opts = { issuer: 'fedcl:test', audience: 'fedcl:test/sites', isRevoked: () => undefined };

test('a site token carries sub, jti, exp and the key binding, and verifies', async () => {
  const coord = await generateSigningKeyPair();
  const site = await generateSigningKeyPair();
  const jkt = await jwkThumbprint(await exportPublicJwk(site.publicKey));
  const { token, jti, expiresAt } = await issueSiteToken(coord.privateKey, { ...opts, siteId: 'site-a', keyThumbprint: jkt, ttlSeconds: 600, now: 1_000_000 });
  const raw = decodeJwt(token);
  assert.equal(raw.sub, 'site-a');
  assert.equal(raw.exp, 1_000_600);
  assert.equal(expiresAt, 1_000_600);
  const claims = await verifySiteToken(token, coord.publicKey, { ...opts, now: 1_000_100 });
  assert.deepEqual(claims, { siteId: 'site-a', jti, issuedAt: 1_000_000, expiresAt: 1_000_600, keyThumbprint: jkt });
});

test('forged, expired, revoked, unsigned and wrong-audience tokens are refused with their own code', async () => {
  const coord = await generateSigningKeyPair();
  const attacker = await generateSigningKeyPair();
  const base = { siteId: 's', keyThumbprint: 'x', ttlSeconds: 60, now: 2_000_000 };
  const forged = await issueSiteToken(attacker.privateKey, { ...opts, ...base });
  await assert.rejects(verifySiteToken(forged.token, coord.publicKey, { ...opts, now: 2_000_010 }), code('token.forged'));
  const good = await issueSiteToken(coord.privateKey, { ...opts, ...base });
  await assert.rejects(verifySiteToken(good.token, coord.publicKey, { ...opts, now: 2_000_061 }), code('token.expired'));
  await assert.rejects(
    verifySiteToken(good.token, coord.publicKey, { ...opts, now: 2_000_010, isRevoked: (c) => (c.jti === good.jti ? 'lost laptop' : undefined) }),
    (e: unknown) => code('token.revoked')(e) && /lost laptop/.test((e as Error).message),
  );
  const unsigned = new UnsecuredJWT({ cnf: { jkt: 'x' } }).setSubject('s').setIssuer(opts.issuer).setAudience(opts.audience).setJti('j').setIssuedAt().setExpirationTime('1h').encode();
  await assert.rejects(verifySiteToken(unsigned, coord.publicKey, opts), (e: unknown) => e instanceof ProtocolError && e.code.startsWith('token.'));
  const otherAud = await new SignJWT({ cnf: { jkt: 'x' } }).setProtectedHeader({ alg: 'ES256', typ: 'fedcl-site+jwt' }).setSubject('s').setIssuer(opts.issuer).setAudience('elsewhere').setJti('j').setIssuedAt().setExpirationTime('1h').sign(coord.privateKey);
  await assert.rejects(verifySiteToken(otherAud, coord.publicKey, opts), (e: unknown) => code('token.invalid')(e) && (e as ProtocolError).field === 'aud');
  await assert.rejects(verifySiteToken(undefined, coord.publicKey, opts), code('token.missing'));
});

test('a site assertion signed by the enrolled key verifies; by another key it is forged', async () => {
  const site = await generateSigningKeyPair();
  const other = await generateSigningKeyPair();
  const a = await createSiteAssertion(site.privateKey, { siteId: 'site-b', audience: 'fedcl:test/token' });
  assert.equal(assertionSiteId(a), 'site-b');
  const r = await verifySiteAssertion(a, site.publicKey, { siteId: 'site-b', audience: 'fedcl:test/token' });
  assert.ok(r.jti.length >= 16);
  await assert.rejects(verifySiteAssertion(a, other.publicKey, { siteId: 'site-b', audience: 'fedcl:test/token' }), code('token.forged'));
  await assert.rejects(verifySiteAssertion(a, site.publicKey, { siteId: 'site-c', audience: 'fedcl:test/token' }), code('token.invalid'));
});
