import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitSize, resizeAndPad, resizeImage } from './resize.js';
import { runPythonReference } from './pythonReference.js';

/** Deterministic pseudo-random image with structure (gradient + noise), values in [0, 1000). */
function image(h: number, w: number, seed = 1): Float32Array {
  const out = new Float32Array(h * w);
  let s = seed;
  for (let i = 0; i < out.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = ((i % w) * 7 + Math.floor(i / w) * 3 + (s % 200)) % 1000;
  }
  return out;
}

/** Naive area reference: each output pixel is the 2-D overlap-weighted mean of the source. */
function naiveArea(src: Float32Array, h: number, w: number, oh: number, ow: number): Float64Array {
  const sy = h / oh;
  const sx = w / ow;
  const out = new Float64Array(oh * ow);
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      const y0 = oy * sy, y1 = (oy + 1) * sy, x0 = ox * sx, x1 = (ox + 1) * sx;
      let acc = 0;
      for (let y = 0; y < h; y++) {
        const ovy = Math.max(0, Math.min(y1, y + 1) - Math.max(y0, y));
        if (ovy === 0) continue;
        for (let x = 0; x < w; x++) {
          const ovx = Math.max(0, Math.min(x1, x + 1) - Math.max(x0, x));
          acc += src[y * w + x]! * ovy * ovx;
        }
      }
      out[oy * ow + ox] = acc / (sy * sx);
    }
  }
  return out;
}

/** Naive bilinear reference: textbook four-neighbour interpolation, half-pixel centres, clamped. */
function naiveBilinear(src: Float32Array, h: number, w: number, oh: number, ow: number): Float64Array {
  const out = new Float64Array(oh * ow);
  const clamp = (v: number, hi: number) => Math.min(hi, Math.max(0, v));
  for (let oy = 0; oy < oh; oy++) {
    const fy = clamp((oy + 0.5) * (h / oh) - 0.5, h - 1);
    const y0 = Math.floor(fy), y1 = Math.min(h - 1, y0 + 1), ty = fy - y0;
    for (let ox = 0; ox < ow; ox++) {
      const fx = clamp((ox + 0.5) * (w / ow) - 0.5, w - 1);
      const x0 = Math.floor(fx), x1 = Math.min(w - 1, x0 + 1), tx = fx - x0;
      const a = src[y0 * w + x0]!, b = src[y0 * w + x1]!, c = src[y1 * w + x0]!, d = src[y1 * w + x1]!;
      out[oy * ow + ox] = (1 - ty) * ((1 - tx) * a + tx * b) + ty * ((1 - tx) * c + tx * d);
    }
  }
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

test('area downscaling equals the naive 2-D overlap-weighted mean, whole (block-mean path) and fractional factors', () => {
  for (const [h, w, oh, ow] of [[12, 9, 4, 3], [64, 48, 16, 12], [30, 20, 30, 10], [37, 23, 10, 7], [64, 50, 17, 13], [5, 7, 1, 1]] as const) {
    const src = image(h, w, h * w);
    const got = resizeImage(src, h, w, oh, ow);
    assert.ok(maxAbsDiff(got, naiveArea(src, h, w, oh, ow)) < 1e-3, `${h}×${w}→${oh}×${ow}`);
  }
});

test('area downscaling preserves the mean exactly (mass conservation) and constant images', () => {
  const src = image(53, 41, 9);
  const got = resizeImage(src, 53, 41, 19, 14);
  const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
  assert.ok(Math.abs(mean(got) - mean(src)) < 1e-3);
  const flat = resizeImage(new Float32Array(30 * 20).fill(7.25), 30, 20, 11, 9);
  assert.ok(flat.every((v) => Math.abs(v - 7.25) < 1e-5));
});

test('bilinear upscaling equals the naive four-neighbour reference', () => {
  for (const [h, w, oh, ow] of [[4, 3, 12, 9], [7, 5, 30, 11], [1, 6, 5, 13]] as const) {
    const src = image(h, w, 3);
    assert.ok(maxAbsDiff(resizeImage(src, h, w, oh, ow), naiveBilinear(src, h, w, oh, ow)) < 1e-3, `${h}×${w}→${oh}×${ow}`);
  }
});

test('mixed axes: rows area-averaged, columns interpolated, equal to applying the two references per axis', () => {
  const h = 40, w = 6, oh = 10, ow = 15;
  const src = image(h, w, 5);
  // Area on rows only (width unchanged), then bilinear on columns only (height unchanged).
  const rowsDown = Float32Array.from(naiveArea(src, h, w, oh, w));
  const expected = naiveBilinear(rowsDown, oh, w, oh, ow);
  assert.ok(maxAbsDiff(resizeImage(src, h, w, oh, ow), expected) < 1e-3);
});

test('agrees with PIL (mode F): BILINEAR when upscaling and BOX for integer downscale factors, to 1e-3 on values < 1000', () => {
  const cases = [
    { h: 37, w: 23, oh: 100, ow: 62, filter: 'BILINEAR' },
    { h: 120, w: 80, oh: 40, ow: 20, filter: 'BOX' },
  ];
  const inputs = cases.map((c) => ({ ...c, data: Array.from(image(c.h, c.w, c.h)) }));
  const pil = runPythonReference<number[][]>(
    `import sys, json, numpy as np
from PIL import Image
out = []
for c in json.load(sys.stdin):
    a = np.array(c['data'], dtype=np.float32).reshape(c['h'], c['w'])
    r = Image.fromarray(a, mode='F').resize((c['ow'], c['oh']), getattr(Image, c['filter']))
    out.append(np.asarray(r, dtype=np.float64).ravel().tolist())
print(json.dumps(out))`,
    inputs,
  );
  cases.forEach((c, i) => {
    const got = resizeImage(Float32Array.from(inputs[i]!.data), c.h, c.w, c.oh, c.ow);
    assert.ok(maxAbsDiff(got, pil[i]!) < 1e-3, `${c.filter} ${c.h}×${c.w}→${c.oh}×${c.ow}`);
  });
});

test('fitSize keeps the aspect ratio and the long side at the target', () => {
  assert.deepEqual(fitSize(512, 512, 256), { height: 256, width: 256 });
  assert.deepEqual(fitSize(400, 512, 256), { height: 200, width: 256 });
  assert.deepEqual(fitSize(1024, 256, 224), { height: 224, width: 56 });
  assert.deepEqual(fitSize(3000, 2, 256), { height: 256, width: 1 });
  assert.deepEqual(fitSize(64, 48, 256), { height: 256, width: 192 });
});

test('resizeAndPad centres the image in the square and fills the rest with the pad value', () => {
  const src = image(40, 20, 2);
  const r = resizeAndPad(src, 40, 20, 8, -1);
  assert.deepEqual([r.top, r.left, r.height, r.width], [0, 2, 8, 4]);
  const inner = resizeImage(src, 40, 20, 8, 4);
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) {
      const v = r.data[y * 8 + x]!;
      if (x < 2 || x >= 6) assert.equal(v, -1);
      else assert.equal(v, inner[y * 4 + (x - 2)]);
    }
  }
  // Odd leftover: 3 rows into 8 → top gets 2, bottom 3.
  const wide = resizeAndPad(new Float32Array(3 * 8).fill(1), 3, 8, 8);
  assert.deepEqual([wide.top, wide.height], [2, 3]);
  assert.equal(wide.data.reduce((s, v) => s + v, 0), 24);
  assert.throws(() => resizeAndPad(new Float32Array(5), 2, 3, 8), /expected 2×3/);
});
