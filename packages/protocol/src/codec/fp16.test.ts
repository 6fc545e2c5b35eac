import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { seededRandom } from '../testing/random.js';
import { float16BitsToFloat32, float32ToFloat16Bits } from './fp16.js';

/**
 * Naive reference from IEEE 754: the value of every finite half, then the nearest one to x
 * (ties → even significand), overflow past the midpoint between 65504 and 2^16 → ±Inf.
 */
const halves: { bits: number; value: number }[] = [];
for (let bits = 0; bits < 0x7c00; bits++) {
  const e = bits >> 10;
  const m = bits & 0x3ff;
  halves.push({ bits, value: e === 0 ? (m / 1024) * 2 ** -14 : (1 + m / 1024) * 2 ** (e - 15) });
}
function naiveHalf(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= 65520) return sign | 0x7c00;
  let lo = 0;
  let hi = halves.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (halves[mid]!.value <= a) lo = mid;
    else hi = mid;
  }
  const dl = a - halves[lo]!.value;
  const dh = halves[hi]!.value - a;
  const pick = dl < dh ? lo : dh < dl ? hi : (halves[lo]!.bits & 1) === 0 ? lo : hi;
  return sign | halves[pick]!.bits;
}

function f32(bits: number): number {
  return new Float32Array(new Uint32Array([bits]).buffer)[0]!;
}

function samples(): number[] {
  const rnd = seededRandom(7);
  const out: number[] = [0, -0, Infinity, -Infinity, 65504, 65519.99, 65520, -65520, 2 ** -24, 2 ** -25, 2 ** -25 * 1.0001, 3 * 2 ** -25, 2 ** -14, 2 ** -14 - 2 ** -25, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 1e-45, -1e-40];
  for (let i = 0; i < 20000; i++) out.push(f32(Math.floor(rnd() * 2 ** 32)));
  // Dense in the half range, including its subnormals and exact ties.
  for (let i = 0; i < 20000; i++) out.push((rnd() - 0.5) * 2 ** Math.floor(rnd() * 44 - 28));
  for (let i = 0; i < 2000; i++) out.push((Math.floor(rnd() * 4096) + 0.5) * 2 ** -24);
  return out.map((x) => f32(new Uint32Array(new Float32Array([x]).buffer)[0]!));
}

test('fp16 encoding matches a nearest-value reference, ties to even, incl. subnormals, inf, overflow', () => {
  for (const x of samples()) {
    const got = float32ToFloat16Bits(x);
    if (Number.isNaN(x)) {
      assert.equal(got & 0x7c00, 0x7c00);
      assert.notEqual(got & 0x3ff, 0, `NaN must stay NaN, got ${got.toString(16)}`);
    } else {
      assert.equal(got, naiveHalf(x), `x = ${x}`);
    }
  }
});

test('fp16 decoding is exact for every half value', () => {
  for (const { bits, value } of halves) {
    assert.equal(float16BitsToFloat32(bits), value);
    assert.equal(float16BitsToFloat32(bits | 0x8000), -value);
  }
  assert.equal(float16BitsToFloat32(0x7c00), Infinity);
  assert.equal(float16BitsToFloat32(0xfc00), -Infinity);
  assert.ok(Number.isNaN(float16BitsToFloat32(0x7e00)));
});

test('fp16 encoding agrees with numpy astype(float16)', (t) => {
  const xs = samples().filter((x) => !Number.isNaN(x)).slice(0, 30000);
  const input = Buffer.from(new Float32Array(xs).buffer);
  const py = spawnSync('/usr/bin/python3', ['-c', 'import sys, numpy as np; a = np.frombuffer(sys.stdin.buffer.read(), dtype="<f4"); sys.stdout.buffer.write(a.astype(np.float16).view("<u2").tobytes())'], { input, maxBuffer: 1 << 26 });
  if (py.status !== 0) assert.fail(`numpy reference failed (install with: apt-get install python3-numpy): ${py.stderr}`);
  const want = new Uint16Array(new Uint8Array(py.stdout).buffer);
  assert.equal(want.length, xs.length);
  let checked = 0;
  for (let i = 0; i < xs.length; i++, checked++) assert.equal(float32ToFloat16Bits(xs[i]!), want[i], `x = ${xs[i]}`);
  t.diagnostic(`${checked} values agree with numpy`);
});
