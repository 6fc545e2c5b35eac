import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { decodeJwt } from 'jose';
import {
  encodeWeights,
  encryptUpdate,
  FederatedNames,
  generateSigningKeyPair,
  importEncryptionPublicKey,
  issueSiteToken,
  PROTOCOL_VERSION,
  readWeightsHeader,
  sha256Hex,
  signUpdateClaims,
  splitChunks,
  type NamedTensors,
  type PreparedUpdate,
  type RoundStart,
  type UpdateClaims,
} from '@fedcl/protocol';
import type { Coordinator } from './coordinator.js';
import { loadKeyring } from './keys.js';
import { FakeSite, shifted } from './testing/fakeSite.js';
import { smallModel, tempStore, testCoordinator, TEST_POLICY } from './testing/testCoordinator.js';

let c: Coordinator;
let a: FakeSite;
let b: FakeSite;
let start: RoundStart;
const store = tempStore();

before(async () => {
  c = await testCoordinator(store.dir, { rounds: { minSites: 2, total: 1 } });
  a = await FakeSite.enrol(c.url, 'site-a', c.createEnrolmentToken().token);
  b = await FakeSite.enrol(c.url, 'site-b', c.createEnrolmentToken().token);
  await a.connect();
  await b.connect();
  start = await a.roundStart();
});

after(async () => {
  a.disconnect();
  b.disconnect();
  await c.close();
  store.remove();
});

/**
 * Runs `action`, then checks the refusal: its code, a message matching `message`, an audit entry
 * with that code, and every table (but the audit log) and upload file exactly as before.
 */
async function refused(code: string, message: RegExp, action: () => Promise<{ code?: unknown; message?: unknown }>): Promise<void> {
  const snapshot = c.store.snapshot();
  const lastAudit = c.store.listAudit({ limit: 1000 }).at(-1)?.id ?? 0;
  const reply = await action();
  assert.equal(reply.code, code, JSON.stringify(reply));
  assert.match(String(reply.message), message);
  const audits = c.store.listAudit({ after: lastAudit, outcome: 'refused' });
  assert.ok(audits.some((e) => e.code === code), `no audit entry with code ${code}: ${JSON.stringify(audits)}`);
  const now = JSON.parse(c.store.snapshot()) as Record<string, unknown>;
  const was = JSON.parse(snapshot) as Record<string, unknown>;
  const changed = Object.keys({ ...now, ...was }).filter((k) => JSON.stringify(now[k]) !== JSON.stringify(was[k]));
  assert.deepEqual(changed, [], 'a refused request must not change the store');
}

const connectError = (site: FakeSite, token: string) =>
  site.connect(token).then(
    () => ({ code: 'connected', message: 'unexpectedly connected' }),
    (err: Error & { data?: { code: string } }) => ({ code: err.data?.code, message: err.message }),
  );

const fedDelta = (shift: number): NamedTensors => {
  const names = new FederatedNames(TEST_POLICY);
  return new Map([...names.select(smallModel())].map(([n, t]) => [n, { shape: t.shape, data: t.data.map(() => shift) }]));
};

/** A site-signed update around arbitrary plaintext (what a buggy or malicious site could send). */
async function crafted(site: FakeSite, plaintext: Uint8Array, o: { flipCiphertextByte?: boolean; bytes?: number } = {}): Promise<PreparedUpdate> {
  const updateId = randomBytes(16).toString('base64url');
  const { jwe, ciphertext } = await encryptUpdate(plaintext, await importEncryptionPublicKey(site.enrolment.coordinator.encryptionKey), { round: start.round, updateId });
  if (o.flipCiphertextByte) ciphertext[3]! ^= 0x01;
  const chunkSize = 256;
  const pieces = splitChunks(ciphertext, chunkSize);
  const bytes = o.bytes ?? ciphertext.length;
  const claims: UpdateClaims = {
    v: PROTOCOL_VERSION, site: site.enrolment.siteId, round: start.round, nonce: start.nonce, updateId, baseVersion: start.globalVersion, kind: 'delta', samples: 10,
    sha256: sha256Hex(ciphertext), bytes, chunkSize, chunks: Math.ceil(bytes / chunkSize), jwe, metrics: {},
  };
  return {
    updateId, claims, encodedBytes: plaintext.length, bytes: ciphertext.length,
    begin: { type: 'update.begin', v: PROTOCOL_VERSION, jws: await signUpdateClaims(claims, site.key.privateKey) },
    chunks: pieces.map((p) => ({ type: 'update.chunk', v: PROTOCOL_VERSION, updateId, index: p.index, sha256: p.sha256, data: p.data })),
    commit: { type: 'update.commit', v: PROTOCOL_VERSION, updateId },
  };
}

/** Encoded fp32 weights with one value replaced by `value` (the encoder itself refuses non-finite input). */
function withValue(t: NamedTensors, value: number): Uint8Array {
  const bytes = encodeWeights(t, 'fp32');
  const { dataOffset } = readWeightsHeader(bytes);
  new DataView(bytes.buffer, bytes.byteOffset).setFloat32(dataOffset + 4 * 7, value, true);
  return bytes;
}

test('a forged JWT (signed by another key) is refused at the handshake', async () => {
  const attacker = await generateSigningKeyPair();
  const claims = decodeJwt(a.token);
  const forged = await issueSiteToken(attacker.privateKey, { issuer: 'fedcl:test', audience: 'fedcl:test/sites', siteId: 'site-a', keyThumbprint: String((claims.cnf as { jkt: string }).jkt), ttlSeconds: 600 });
  const outsider = await FakeSite.enrol(c.url, 'site-x', c.createEnrolmentToken().token);
  await refused('token.forged', /signature does not verify/, () => connectError(outsider, forged.token));
});

test('an expired JWT is refused at the handshake', async () => {
  const keys = await loadKeyring(store.dir);
  const jkt = String((decodeJwt(a.token).cnf as { jkt: string }).jkt);
  const old = await issueSiteToken(keys.signing.privateKey, { issuer: 'fedcl:test', audience: 'fedcl:test/sites', siteId: 'site-a', keyThumbprint: jkt, ttlSeconds: 60, now: Math.floor(Date.now() / 1000) - 3600 });
  const probe = await FakeSite.enrol(c.url, 'site-y', c.createEnrolmentToken().token);
  await refused('token.expired', /expired at/, () => connectError(probe, old.token));
});

test('a revoked JWT is refused at the handshake; a refreshed one still works', async () => {
  const site = await FakeSite.enrol(c.url, 'site-z', c.createEnrolmentToken().token);
  const jti = String(decodeJwt(site.token).jti);
  c.revokeToken(jti, 'token leaked in a log');
  await refused('token.revoked', /revoked: token leaked in a log/, () => connectError(site, site.token));
  const fresh = await site.refreshToken();
  assert.equal(fresh.status, 200);
  await site.connect(String(fresh.body.accessToken));
  site.disconnect();
});

test('an update carrying another round nonce is refused', async () => {
  const p = await a.prepare(start, fedDelta(0.1), { samples: 10, nonce: randomBytes(16).toString('base64url') });
  await refused('round.nonce_mismatch', /nonce does not match round 1/, () => a.upload(p));
});

test('an oversize update is refused before any byte is stored; so is an oversize chunk', async () => {
  const p = await crafted(a, encodeWeights(fedDelta(0.1)), { bytes: 5 * 1024 * 1024 });
  await refused('update.too_large', /exceeds the limit of 4194304 bytes/, () => a.upload(p));
  const q = await crafted(a, encodeWeights(fedDelta(0.1)));
  const ready = await a.request<{ type: string }>('update.begin', q.begin);
  assert.equal(ready.type, 'update.ready');
  await refused('chunk.too_large', /more than the announced chunk size 256/, () => a.request('update.chunk', { ...q.chunks[0]!, data: new Uint8Array(600), sha256: sha256Hex(new Uint8Array(600)) }));
});

test('an oversize REST body gets 413 and an audit entry', async () => {
  await refused('payload.too_large', /exceeds the limit/, async () => {
    const res = await fetch(`${c.url}/enrol`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: 'x'.repeat(300 * 1024) }) });
    assert.equal(res.status, 413);
    return (await res.json()) as { code: string; message: string };
  });
});

test('ciphertext altered in transit is refused (hash vs signed claims); a signed but corrupt one fails decryption', async () => {
  const p = await a.prepare(start, fedDelta(0.1), { samples: 10, chunkSize: 256 });
  const data = p.chunks[0]!.data.slice();
  data[10]! ^= 0xff;
  // The attacker recomputes the chunk hash, but cannot re-sign the whole-update hash.
  const tampered = { ...p, chunks: [{ ...p.chunks[0]!, data, sha256: sha256Hex(data) }, ...p.chunks.slice(1)] };
  await refused('update.hash_mismatch', /does not match the signed claims/, () => a.upload(tampered));
  const signedCorrupt = await crafted(a, encodeWeights(fedDelta(0.1)), { flipCiphertextByte: true });
  await refused('update.decrypt_failed', /does not decrypt/, () => a.upload(signedCorrupt));
});

test('an update with wrong shapes or a local-only tensor is refused, naming the tensor', async () => {
  const wrong = fedDelta(0.1);
  wrong.set('encoder/conv1/bias', { shape: [5], data: new Float32Array(5) });
  const p = await crafted(a, encodeWeights(wrong));
  await refused('weights.shape_mismatch', /'encoder\/conv1\/bias' has shape \[5\], the global model has \[4\]/, () => a.upload(p));
  const local = fedDelta(0.1);
  local.set('encoder/bn1/moving_mean', { shape: [4], data: new Float32Array(4) });
  await refused('weights.name_not_federated', /must stay at the site/, async () => a.upload(await crafted(a, encodeWeights(local))));
});

test('NaN and Inf weights are refused', async () => {
  await refused('weights.non_finite', /has NaN at index 7/, async () => a.upload(await crafted(a, withValue(fedDelta(0.1), NaN))));
  await refused('weights.non_finite', /has -Infinity at index 7/, async () => a.upload(await crafted(a, withValue(fedDelta(0.1), -Infinity))));
});

test('a replayed update is refused (same signed begin, and its chunks and commit)', async () => {
  const p = await a.prepare(start, shifted(fedDelta(0), 0.1), { samples: 10 });
  const ack = await a.upload(p);
  assert.equal(ack.type, 'update.ack');
  await refused('update.replayed', /already accepted in round 1: replays are refused/, () => a.request('update.begin', p.begin));
  await refused('update.replayed', /already accepted/, () => a.request('update.commit', p.commit));
  const again = await a.prepare(start, fedDelta(0.3), { samples: 10 });
  await refused('update.duplicate', /already has an accepted update in round 1/, () => a.upload(again));
});

test('bad REST input is a 400 naming the field, audited, state unchanged', async () => {
  await refused('schema.invalid', /body\.publicKey\.x/, async () => {
    const res = await fetch(`${c.url}/enrol`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: 'y'.repeat(20), name: 'site-q', publicKey: { kty: 'EC', crv: 'P-256', x: 'short', y: 'b'.repeat(43) } }) });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { code: string; message: string; field: string };
    assert.equal(body.field, 'body.publicKey.x');
    return body;
  });
  await refused('enrolment.invalid_token', /unknown enrolment token/, async () => {
    const key = await generateSigningKeyPair();
    const { exportPublicJwk } = await import('@fedcl/protocol');
    const res = await fetch(`${c.url}/enrol`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: 'z'.repeat(32), name: 'site-q', publicKey: await exportPublicJwk(key.publicKey) }) });
    assert.equal(res.status, 403);
    return (await res.json()) as { code: string; message: string };
  });
});

test('malformed socket messages are refused naming the field; another protocol version is refused', async () => {
  const p = await a.prepare(start, fedDelta(0.1), { samples: 10 });
  await refused('schema.invalid', /update\.chunk\.index/, () => a.request('update.chunk', { ...p.chunks[0]!, index: -1 }));
  await refused('schema.invalid', /update\.begin\.jws/, () => a.request('update.begin', { type: 'update.begin', v: 1, jws: 'not a jws' }));
  await refused('version.unsupported', /protocol version 2 is not supported/, () => a.request('update.begin', { ...p.begin, v: 2 }));
  const hb = await a.request<{ type: string; at: number }>('heartbeat', { type: 'heartbeat', v: 1, at: 42 });
  assert.deepEqual([hb.type, hb.at], ['heartbeat.ack', 42]);
});
