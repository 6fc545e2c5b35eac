import assert from 'node:assert/strict';
import { test } from 'node:test';
import { storedValues, unpackBits } from './bits.js';

/** PS3.5 §8.1.1 read literally: take bits highBit−bitsStored+1 … highBit, two's complement if signed. */
function naiveStored(raw: number, width: number, bitsStored: number, highBit: number, signed: boolean): number {
  const unsigned = raw < 0 ? raw + 2 ** width : raw;
  const bits = unsigned.toString(2).padStart(width, '0');
  const field = bits.slice(width - 1 - highBit, width - 1 - highBit + bitsStored);
  let v = parseInt(field, 2);
  if (signed && field[0] === '1') v -= 2 ** bitsStored;
  return v;
}

function random(n: number, seed: number, max: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return Math.floor((s / 2147483648) * max);
  });
}

test('storedValues masks and sign-extends like the PS3.5 definition', () => {
  const words = random(2000, 7, 65536);
  for (const [bitsStored, highBit] of [[12, 11], [12, 13], [10, 15], [16, 15], [1, 0], [15, 14]] as const) {
    for (const signed of [false, true]) {
      const out = storedValues(Uint16Array.from(words), bitsStored, highBit, signed);
      assert.equal(out instanceof (signed ? Int16Array : Uint16Array), true);
      const expected = words.map((w) => naiveStored(w, 16, bitsStored, highBit, signed));
      assert.deepEqual(Array.from(out), expected, `bitsStored ${bitsStored} highBit ${highBit} signed ${signed}`);
    }
  }
  const bytes = random(500, 3, 256);
  assert.deepEqual(Array.from(storedValues(Uint8Array.from(bytes), 6, 5, true)), bytes.map((b) => naiveStored(b, 8, 6, 5, true)));
  const longs = random(500, 5, 2 ** 31).map((v, i) => (i % 2 ? v * 2 + 1 : v));
  assert.deepEqual(Array.from(storedValues(Uint32Array.from(longs), 32, 31, true)), longs.map((v) => naiveStored(v, 32, 32, 31, true)));
  assert.deepEqual(Array.from(storedValues(Uint32Array.from(longs), 24, 23, true)), longs.map((v) => naiveStored(v, 32, 24, 23, true)));
});

test('storedValues keeps already-correct signed codec output (sign-extended int16) unchanged', () => {
  const values = Int16Array.from([-2048, -1, 0, 1, 2047, -1000]);
  assert.deepEqual(Array.from(storedValues(values, 12, 11, true)), Array.from(values));
  const same = Uint16Array.from([1, 2, 3]);
  assert.equal(storedValues(same, 16, 15, false), same, 'no copy when nothing to mask');
});

test('unpackBits: first pixel in the least significant bit (PS3.5 Annex D), frames at any bit offset', () => {
  // 0b10110001 holds pixels 1,0,0,0,1,1,0,1; 0b00000110 holds 0,1,1,0,0,0,0,0.
  const packed = Uint8Array.from([0b10110001, 0b00000110]);
  assert.deepEqual(Array.from(unpackBits(packed, 0, 16)), [1, 0, 0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0]);
  assert.deepEqual(Array.from(unpackBits(packed, 5, 5)), [1, 0, 1, 0, 1]);
});
