import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { ProtocolError } from '../errors.js';
import { chunkCount, missingChunks, splitChunks, verifyChunk } from './chunks.js';

const code = (c: string) => (e: unknown) => e instanceof ProtocolError && e.code === c;

test('chunks are ≤ chunk size, reassemble to the input and carry their SHA-256', () => {
  const bytes = new Uint8Array(2.5 * 1024 * 1024).map((_, i) => (i * 31) & 0xff);
  const chunks = splitChunks(bytes);
  assert.equal(chunks.length, 3);
  assert.equal(chunkCount(bytes.length, 1 << 20), 3);
  assert.deepEqual(chunks.map((c) => c.data.length), [1 << 20, 1 << 20, 1 << 19]);
  assert.deepEqual(Buffer.concat(chunks.map((c) => c.data)), Buffer.from(bytes));
  for (const c of chunks) assert.equal(c.sha256, createHash('sha256').update(c.data).digest('hex'));
  assert.throws(() => splitChunks(bytes, (1 << 20) + 1), code('chunk.too_large'));
});

test('verifyChunk refuses wrong index, size and hash', () => {
  const bytes = new Uint8Array(5000).fill(7);
  const upload = { bytes: 5000, chunkSize: 2048, chunks: 3 };
  const [a, , c] = splitChunks(bytes, 2048);
  verifyChunk(a!, upload);
  verifyChunk(c!, upload);
  assert.throws(() => verifyChunk({ ...a!, index: 3 }, upload), code('chunk.malformed'));
  assert.throws(() => verifyChunk({ ...c!, index: 0 }, upload), code('chunk.malformed'));
  assert.throws(() => verifyChunk({ ...a!, data: new Uint8Array(4096) }, upload), code('chunk.too_large'));
  const flipped = a!.data.slice();
  flipped[9] ^= 1;
  assert.throws(() => verifyChunk({ ...a!, data: flipped }, upload), code('chunk.hash_mismatch'));
});

test('missingChunks lists what a resumed upload still has to send', () => {
  assert.deepEqual(missingChunks(5, [0, 3]), [1, 2, 4]);
  assert.deepEqual(missingChunks(2, [0, 1]), []);
});
