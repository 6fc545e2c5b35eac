import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planarToInterleaved, ybrFullToRgb } from './color.js';
import { expandYbr422 } from './nativeFrame.js';

/** PS3.3 C.7.6.3.1.2, forward (RGB → YBR_FULL) equations. */
function rgbToYbr(r: number, g: number, b: number): [number, number, number] {
  return [
    0.299 * r + 0.587 * g + 0.114 * b,
    -0.1687 * r - 0.3313 * g + 0.5 * b + 128,
    0.5 * r - 0.4187 * g - 0.0813 * b + 128,
  ];
}

test('YBR_FULL → RGB inverts the standard forward transform to within rounding', () => {
  const rgb: number[] = [];
  for (let r = 0; r < 256; r += 15) for (let g = 0; g < 256; g += 17) for (let b = 0; b < 256; b += 51) rgb.push(r, g, b);
  const ybr: number[] = [];
  for (let i = 0; i < rgb.length; i += 3) ybr.push(...rgbToYbr(rgb[i]!, rgb[i + 1]!, rgb[i + 2]!).map(Math.round));
  const out = new Float32Array(ybr.length);
  ybrFullToRgb(ybr, 8, out);
  let worst = 0;
  for (let i = 0; i < rgb.length; i++) worst = Math.max(worst, Math.abs(out[i]! - rgb[i]!));
  assert.ok(worst <= 2, `max |RGB − round trip| = ${worst}`);
  // Neutral grey has no chroma: R = G = B = Y exactly; out-of-gamut values are clipped.
  ybrFullToRgb([77, 128, 128, 0, 0, 0, 255, 255, 255], 8, out);
  assert.deepEqual(Array.from(out.subarray(0, 3)), [77, 77, 77]);
  assert.ok(out.subarray(3).every((v) => v >= 0 && v <= 255));
});

test('planar to interleaved and YBR_FULL_422 expansion follow their layouts', () => {
  const planar = Uint8Array.from([1, 2, 3, 4, 11, 12, 13, 14, 21, 22, 23, 24]);
  assert.deepEqual(Array.from(planarToInterleaved(planar, 3)), [1, 11, 21, 2, 12, 22, 3, 13, 23, 4, 14, 24]);
  // Y1 Y2 Cb Cr for two pixel pairs.
  const ybr422 = Uint16Array.from([10, 20, 100, 200, 30, 40, 101, 201]);
  const full = expandYbr422(ybr422);
  assert.ok(full instanceof Uint16Array);
  assert.deepEqual(Array.from(full), [10, 100, 200, 20, 100, 200, 30, 101, 201, 40, 101, 201]);
});
