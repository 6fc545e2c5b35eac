import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtocolError } from '../errors.js';
import { generateEncryptionKeyPair, generateSigningKeyPair } from './keys.js';
import { decryptUpdate, encryptUpdate } from './updateEnvelope.js';
import { signUpdateClaims, verifyUpdateClaims } from './updateSignature.js';
import { signManifest, verifyManifest, verifyModelWeights } from './manifest.js';
import type { ModelManifest } from '../schemas/manifest.js';
import { sha256Hex } from '../codec/sha256.js';
import { decodeProtectedHeader } from 'jose';

const code = (c: string) => (e: unknown) => e instanceof ProtocolError && e.code === c;
const binding = { round: 4, updateId: 'AAAAAAAAAAAAAAAAAAAAAA' };

test('JWE round trip with ECDH-ES+A256KW / A256GCM; any altered byte fails authentication', async () => {
  const coord = await generateEncryptionKeyPair();
  const plain = new Uint8Array(10000).map((_, i) => i & 0xff);
  const { jwe, ciphertext } = await encryptUpdate(plain, coord.publicKey, binding);
  const h = decodeProtectedHeader(jwe.protected + '..');
  assert.equal(h.alg, 'ECDH-ES+A256KW');
  assert.equal(h.enc, 'A256GCM');
  assert.equal(ciphertext.length, plain.length, 'GCM ciphertext is as long as the plaintext (no base64 on the wire)');
  assert.deepEqual(await decryptUpdate(jwe, ciphertext, coord.privateKey, binding), plain);
  const flipped = ciphertext.slice();
  flipped[1234] ^= 0x10;
  await assert.rejects(decryptUpdate(jwe, flipped, coord.privateKey, binding), code('update.decrypt_failed'));
  const badTag = { ...jwe, tag: jwe.tag.startsWith('A') ? 'B' + jwe.tag.slice(1) : 'A' + jwe.tag.slice(1) };
  await assert.rejects(decryptUpdate(badTag, ciphertext, coord.privateKey, binding), code('update.decrypt_failed'));
  const other = await generateEncryptionKeyPair();
  await assert.rejects(decryptUpdate(jwe, ciphertext, other.privateKey, binding), code('update.decrypt_failed'));
  await assert.rejects(decryptUpdate(jwe, ciphertext, coord.privateKey, { ...binding, round: 5 }), code('update.claims_mismatch'));
});

test('update claims signed by the site verify only with its key and are schema-checked', async () => {
  const site = await generateSigningKeyPair();
  const other = await generateSigningKeyPair();
  const claims = {
    v: 1, site: 'site-a', round: 4, nonce: 'BBBBBBBBBBBBBBBBBBBBBB', updateId: binding.updateId, baseVersion: 3, kind: 'delta' as const,
    samples: 120, sha256: 'a'.repeat(64), bytes: 100, chunkSize: 1 << 20, chunks: 1,
    jwe: { protected: 'e30', encrypted_key: 'AA', iv: 'AA', tag: 'AA' }, metrics: { loss: 1.5 },
  };
  const jws = await signUpdateClaims(claims, site.privateKey);
  assert.deepEqual(await verifyUpdateClaims(jws, site.publicKey), claims);
  await assert.rejects(verifyUpdateClaims(jws, other.publicKey), code('update.bad_signature'));
  const bad = await signUpdateClaims({ ...claims, samples: 0 }, site.privateKey);
  await assert.rejects(verifyUpdateClaims(bad, site.publicKey), (e: unknown) => code('schema.invalid')(e) && (e as ProtocolError).field === 'claims.samples');
});

test('manifests: signed ones verify; unsigned, forged, stale and mismatched weights are refused', async () => {
  const coord = await generateSigningKeyPair();
  const weights = new Uint8Array([1, 2, 3, 4]);
  const manifest: ModelManifest = {
    v: 1, federation: 'test', version: 3, round: 2, parents: [2], createdAt: new Date(0).toISOString(), sha256: sha256Hex(weights), bytes: 4, dtype: 'fp32',
    tensors: [{ name: 'encoder/w', shape: [1] }], sites: [], samples: 0, configHash: 'c'.repeat(64), aggregator: { name: 'fedavg', params: {} }, metrics: {}, policy: { prefix: 'encoder/', exclude: [] },
  };
  const jws = await signManifest(manifest, coord.privateKey);
  assert.deepEqual(await verifyManifest(jws, coord.publicKey, { minVersion: 3, expectedVersion: 3 }), manifest);
  verifyModelWeights(weights, manifest);
  assert.throws(() => verifyModelWeights(new Uint8Array([1, 2, 3, 5]), manifest), code('manifest.hash_mismatch'));
  await assert.rejects(verifyManifest(JSON.stringify(manifest), coord.publicKey), code('manifest.unsigned'));
  const [h, p] = jws.split('.');
  const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'fedcl-manifest+jws' })).toString('base64url');
  await assert.rejects(verifyManifest(`${none}.${p}.`, coord.publicKey), code('manifest.unsigned'));
  const otherKey = await generateSigningKeyPair();
  await assert.rejects(verifyManifest(await signManifest(manifest, otherKey.privateKey), coord.publicKey), code('manifest.bad_signature'));
  const altered = Buffer.from(JSON.stringify({ ...manifest, version: 9 })).toString('base64url');
  await assert.rejects(verifyManifest(`${h}.${altered}.${jws.split('.')[2]}`, coord.publicKey), code('manifest.bad_signature'));
  await assert.rejects(verifyManifest(jws, coord.publicKey, { minVersion: 4 }), code('manifest.stale'));
});
