import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtocolError } from '../errors.js';
import { seededRandom } from '../testing/random.js';
import { float16BitsToFloat32, float32ToFloat16Bits } from './fp16.js';
import type { NamedTensors } from './tensors.js';
import { decodeWeights, encodeWeights, readWeightsHeader } from './weights.js';

function randomTensors(seed: number): NamedTensors {
  const rnd = seededRandom(seed);
  const m: NamedTensors = new Map();
  const shapes = [[3, 3, 1, 5], [5], [7, 2], [1], [0, 4], [2, 3, 4]];
  shapes.forEach((shape, i) => {
    const n = shape.reduce((a, b) => a * b, 1);
    m.set(`encoder/layer${i}/w`, { shape, data: new Float32Array(n).map(() => (rnd() - 0.5) * 4) });
  });
  return m;
}

const code = (c: string) => (e: unknown) => e instanceof ProtocolError && e.code === c;

test('fp32 round trip is bit-exact and keeps names, order and shapes', () => {
  const t = randomTensors(1);
  const back = decodeWeights(encodeWeights(t, 'fp32'));
  assert.deepEqual([...back.keys()], [...t.keys()]);
  for (const [name, v] of t) {
    assert.deepEqual(back.get(name)!.shape, v.shape);
    assert.deepEqual(back.get(name)!.data, v.data);
  }
});

test('fp16 payload decodes to the reference rounding of each value', () => {
  const t = randomTensors(2);
  const back = decodeWeights(encodeWeights(t, 'fp16'));
  for (const [name, v] of t) {
    const got = back.get(name)!.data;
    v.data.forEach((x, i) => assert.equal(got[i], Math.fround(float16BitsToFloat32(float32ToFloat16Bits(x)))));
  }
});

test('int8 payload decodes within scale/2 of each value', () => {
  const t = randomTensors(3);
  const bytes = encodeWeights(t, 'int8');
  const header = readWeightsHeader(bytes);
  const back = decodeWeights(bytes);
  header.tensors.forEach((e) => {
    const src = t.get(e.name)!.data;
    const maxAbs = src.reduce((a, b) => Math.max(a, Math.abs(b)), 0);
    assert.ok(Math.abs(e.scale! - maxAbs / 127) < 1e-9);
    const got = back.get(e.name)!.data;
    src.forEach((x, i) => assert.ok(Math.abs(got[i]! - x) <= e.scale! / 2 + 1e-6));
  });
  const values = [...t.values()].reduce((a, v) => a + ((v.data.length + 3) & ~3), 0);
  assert.equal(bytes.length - header.dataOffset, values, 'one byte per value (+ 4-byte alignment)');
});

test('the encoder refuses NaN/Inf, naming the tensor; fp16 refuses overflow', () => {
  const t = randomTensors(4);
  t.get('encoder/layer2/w')!.data[5] = NaN;
  assert.throws(() => encodeWeights(t, 'fp32'), (e: unknown) => code('weights.non_finite')(e) && (e as ProtocolError).field === 'encoder/layer2/w');
  const big: NamedTensors = new Map([['w', { shape: [2], data: new Float32Array([1, 70000]) }]]);
  assert.throws(() => encodeWeights(big, 'fp16'), code('weights.fp16_overflow'));
  assert.throws(() => encodeWeights(new Map([['w', { shape: [3], data: new Float32Array(2) }]])), code('weights.shape_mismatch'));
});

function handMade(header: unknown, payloadBytes: number): Uint8Array {
  const h = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(((12 + h.length + 3) & ~3) + payloadBytes);
  out.set([0x46, 0x43, 0x4c, 0x57, 1, 0]);
  new DataView(out.buffer).setUint32(8, h.length, true);
  out.set(h, 12);
  return out;
}

test('size limits are enforced from the header before any allocation', () => {
  // 2^40 floats would be 4 TiB: refused as too large, never allocated.
  const huge = handMade({ tensors: [{ name: 'w', shape: [1 << 20, 1 << 20] }] }, 16);
  assert.throws(() => decodeWeights(huge), code('weights.too_large'));
  const many = handMade({ tensors: Array.from({ length: 10 }, (_, i) => ({ name: `t${i}`, shape: [1] })) }, 40);
  assert.throws(() => decodeWeights(many, { maxTensors: 5, maxBytes: 1e6, maxHeaderBytes: 1e6, maxRank: 8 }), code('weights.too_large'));
  assert.throws(() => decodeWeights(encodeWeights(randomTensors(5)), { maxTensors: 100, maxBytes: 100, maxHeaderBytes: 1e6, maxRank: 8 }), code('weights.too_large'));
});

test('malformed payloads are refused with weights.malformed', () => {
  const good = encodeWeights(randomTensors(6));
  assert.throws(() => decodeWeights(good.subarray(0, good.length - 4)), code('weights.malformed'));
  assert.throws(() => decodeWeights(new Uint8Array(8)), code('weights.malformed'));
  assert.throws(() => decodeWeights(handMade({ tensors: [{ name: 'a', shape: [1] }, { name: 'a', shape: [1] }] }, 8)), code('weights.malformed'));
  assert.throws(() => decodeWeights(handMade({ tensors: [{ name: 'a', shape: [-1] }] }, 0)), code('weights.malformed'));
  const bad = good.slice();
  bad[0] = 0;
  assert.throws(() => decodeWeights(bad), code('weights.malformed'));
});
