import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grayscaleDisplay, type GrayscaleTransform } from './grayscaleDisplay.js';

/** PS3.4 N.2.1 pixel by pixel: rescale, VOI (LINEAR window or range), inversion, padding → 0. */
function naive(values: number[], t: GrayscaleTransform): number[] {
  const isPad = (v: number) => t.padding !== undefined && v >= t.padding.lo && v <= t.padding.hi;
  const m = values.map((v) => v * t.slope + t.intercept);
  const kept = m.filter((_, i) => !isPad(values[i]!));
  const lo = Math.min(...kept);
  const hi = Math.max(...kept);
  return m.map((x, i) => {
    let y: number;
    if (t.voi.kind === 'window') {
      const { center: c, width: w } = t.voi;
      y = x <= c - 0.5 - (w - 1) / 2 ? 0 : x > c - 0.5 + (w - 1) / 2 ? 1 : (x - (c - 0.5)) / (w - 1) + 0.5;
    } else {
      y = hi > lo ? (x - lo) / (hi - lo) : 0;
    }
    if (t.invert) y = 1 - y;
    return isPad(values[i]!) ? 0 : y;
  });
}

function random(n: number, lo: number, hi: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return lo + Math.floor((s / 2147483648) * (hi - lo + 1));
  });
}

test('grayscaleDisplay equals the pixel-by-pixel pipeline on its table and direct paths', () => {
  const cases: { values: number[]; bits: number; signed: boolean }[] = [
    { values: random(5000, -2048, 2047, 1), bits: 12, signed: true }, // window: table over all 4096 values
    { values: random(300, -2048, 2047, 2), bits: 12, signed: true }, // fewer pixels than values: direct
    { values: random(5000, 0, 255, 3), bits: 8, signed: false },
  ];
  for (const { values, bits, signed } of cases) {
    const arr = signed ? Int16Array.from(values) : Uint8Array.from(values);
    const pad = values[7]!;
    const variants: GrayscaleTransform[] = [
      { slope: 1, intercept: -1024, voi: { kind: 'window', center: -900, width: 400, fn: 'LINEAR' }, invert: false, bits, signed },
      { slope: 0.5, intercept: 3, voi: { kind: 'range' }, invert: true, padding: { lo: pad, hi: pad + 10 }, bits, signed },
      { slope: -2, intercept: 0, voi: { kind: 'window', center: 0, width: 1, fn: 'LINEAR' }, invert: true, padding: { lo: pad, hi: pad }, bits, signed },
    ];
    for (const t of variants) {
      const ours = grayscaleDisplay(arr, t);
      const expected = naive(values, t);
      ours.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-6, `${JSON.stringify(t.voi)} pixel ${i}: ${v} vs ${expected[i]}`));
    }
  }
});
