import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verifyChunk } from '../codec/chunks.js';
import type { NamedTensors } from '../codec/tensors.js';
import { DEFAULT_WEIGHT_LIMITS } from '../codec/weights.js';
import { ProtocolError } from '../errors.js';
import { generateEncryptionKeyPair, generateSigningKeyPair } from '../jose/keys.js';
import { verifyUpdateClaims } from '../jose/updateSignature.js';
import { openUpdate } from './openUpdate.js';
import { FederatedNames } from './policy.js';
import { prepareUpdate } from './prepareUpdate.js';

const code = (c: string) => (e: unknown) => e instanceof ProtocolError && e.code === c;
const policy = { prefix: 'encoder/', exclude: ['**/bn*/moving_*', 'encoder/head?/**'] };

test('policy globs: prefix, ** across slashes, * and ? within one segment', () => {
  const n = new FederatedNames(policy);
  assert.equal(n.isFederated('encoder/conv1/kernel'), true);
  assert.equal(n.isFederated('encoder/block2/bn1/moving_mean'), false);
  assert.equal(n.isFederated('encoder/bn1/gamma'), true);
  assert.equal(n.isFederated('encoder/head1/dense/kernel'), false);
  assert.equal(n.isFederated('encoder/head12/dense/kernel'), true);
  assert.equal(n.isFederated('projector/dense/kernel'), false);
  assert.match(n.whyLocal('momentum/encoder/w')!, /prefix/);
});

function tensors(): NamedTensors {
  return new Map([
    ['encoder/conv/kernel', { shape: [2, 2, 1, 3], data: new Float32Array(12).map((_, i) => i / 10 - 0.5) }],
    ['encoder/conv/bias', { shape: [3], data: new Float32Array([0.1, -0.2, 0.3]) }],
  ]);
}
const spec = [...tensors()].map(([name, t]) => ({ name, shape: [...t.shape] }));

async function prepared(t: NamedTensors, chunkSize = 1024) {
  const site = await generateSigningKeyPair();
  const coord = await generateEncryptionKeyPair();
  const p = await prepareUpdate({
    tensors: t, kind: 'delta', dtype: 'fp32', siteId: 'site-a', round: 1, nonce: 'N'.repeat(22), baseVersion: 0, samples: 40,
    metrics: { loss: 2.5 }, siteKey: site.privateKey, coordinatorEncryptionKey: coord.publicKey, chunkSize,
  });
  return { p, site, coord };
}

test('prepareUpdate → chunks → openUpdate gives back the tensors; the claims are signed', async () => {
  const { p, site, coord } = await prepared(tensors(), 64);
  const claims = await verifyUpdateClaims(p.begin.jws, site.publicKey);
  assert.deepEqual(claims, p.claims);
  assert.equal(claims.chunks, p.chunks.length);
  assert.ok(p.chunks.length > 1);
  for (const c of p.chunks) verifyChunk(c, claims);
  const ciphertext = Buffer.concat(p.chunks.map((c) => c.data));
  const back = await openUpdate(ciphertext, claims, { coordinatorKey: coord.privateKey, limits: DEFAULT_WEIGHT_LIMITS, spec, names: new FederatedNames(policy) });
  for (const [name, t] of tensors()) assert.deepEqual(back.get(name)!.data, t.data);
});

test('openUpdate refuses altered ciphertext, wrong shapes, local-only names', async () => {
  const names = new FederatedNames(policy);
  const { p, coord } = await prepared(tensors());
  const ct = Buffer.concat(p.chunks.map((c) => c.data));
  ct[3] ^= 1;
  const o = { coordinatorKey: coord.privateKey, limits: DEFAULT_WEIGHT_LIMITS, spec, names };
  await assert.rejects(openUpdate(ct, p.claims, o), code('update.hash_mismatch'));

  const wrong = tensors();
  wrong.set('encoder/conv/bias', { shape: [1, 3], data: new Float32Array(3) });
  const w = await prepared(wrong);
  await assert.rejects(openUpdate(Buffer.concat(w.p.chunks.map((c) => c.data)), w.p.claims, { ...o, coordinatorKey: w.coord.privateKey }), (e: unknown) => code('weights.shape_mismatch')(e) && (e as ProtocolError).field === 'encoder/conv/bias');

  const local = tensors();
  local.set('encoder/bn1/moving_mean', { shape: [3], data: new Float32Array(3) });
  const l = await prepared(local);
  await assert.rejects(openUpdate(Buffer.concat(l.p.chunks.map((c) => c.data)), l.p.claims, { ...o, coordinatorKey: l.coord.privateKey }), code('weights.name_not_federated'));
});
