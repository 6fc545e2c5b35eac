import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from './rng.js';
import { sampleCrop, resizedCrop } from './randomResizedCrop.js';
import { rotate } from './rotate.js';
import { horizontalFlip } from './flip.js';
import { brightness, contrast, gamma, gaussianNoise } from './intensity.js';
import { gaussianBlur, gaussianKernel1d } from './blur.js';
import { augmentBatch, twoViews } from './augmentBatch.js';

await tf.setBackend('cpu');

const N = 3, H = 12, W = 10;
const rng0 = new Rng(99);
const data = Float32Array.from({ length: N * H * W }, () => rng0.next());
const images = () => tf.tensor4d(data, [N, H, W, 1]);
const px = (b: number, y: number, x: number) => data[(b * H + y) * W + x]!;
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string) => {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= tol, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
};

/** Bilinear read with zero outside the image (TF ImageProjectiveTransform 'constant' semantics). */
function bilinear(b: number, y: number, x: number): number {
  const read = (yy: number, xx: number) => (yy >= 0 && yy < H && xx >= 0 && xx < W ? px(b, yy, xx) : 0);
  const y0 = Math.floor(y), x0 = Math.floor(x), fy = y - y0, fx = x - x0;
  return (1 - fy) * ((1 - fx) * read(y0, x0) + fx * read(y0, x0 + 1)) + fy * ((1 - fx) * read(y0 + 1, x0) + fx * read(y0 + 1, x0 + 1));
}

test('sampleCrop stays inside the image, honours scale and ratio, and falls back to a clamped centre crop', () => {
  const rng = new Rng(1);
  for (let i = 0; i < 200; i++) {
    const c = sampleCrop(rng, 64, 48, [0.3, 0.9], [0.75, 1.333]);
    assert.ok(c.top >= 0 && c.left >= 0 && c.top + c.height <= 64 && c.left + c.width <= 48, JSON.stringify(c));
    const frac = (c.width * c.height) / (64 * 48);
    assert.ok(frac > 0.3 * 0.9 && frac < 0.9 * 1.1, `area fraction ${frac}`);
    const ar = c.width / c.height;
    assert.ok(ar > 0.75 * 0.9 && ar < 1.333 * 1.1, `ratio ${ar}`);
  }
  // ratio ≥ 2 cannot fit a 16×16 image at full scale → centre crop, width 16, height round(16/2)
  assert.deepEqual(sampleCrop(new Rng(2), 16, 16, [1, 1], [2, 3]), { top: 4, left: 0, height: 8, width: 16 });
});

test('resizedCrop samples the crop box like a naive bilinear resize (first to last pixel centre)', () => {
  const crops = [{ top: 1, left: 2, height: 7, width: 5 }, { top: 0, left: 0, height: 12, width: 10 }, { top: 5, left: 3, height: 4, width: 6 }];
  const S = 6;
  const got = resizedCrop(images(), crops, S).dataSync();
  const want: number[] = [];
  crops.forEach((c, b) => {
    for (let i = 0; i < S; i++) for (let j = 0; j < S; j++) {
      want.push(bilinear(b, c.top + (i * (c.height - 1)) / (S - 1), c.left + (j * (c.width - 1)) / (S - 1)));
    }
  });
  close(got, want, 1e-5, 'crop');
  // a crop the size of the output is an exact slice
  const exact = resizedCrop(images(), crops.map(() => ({ top: 3, left: 2, height: 5, width: 5 })), 5);
  close(exact.dataSync(), tf.slice(images(), [0, 3, 2, 0], [N, 5, 5, 1]).dataSync(), 1e-6, 'slice');
});

test('rotate matches a naive inverse-mapped bilinear rotation, and 90° is an exact rot90', () => {
  const angles = [0.3, -0.5, 0];
  const got = rotate(images(), angles, 'constant', 0).dataSync();
  const want: number[] = [];
  const cx = (W - 1) / 2, cy = (H - 1) / 2;
  angles.forEach((t, b) => {
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      const dx = x - cx, dy = y - cy;
      want.push(bilinear(b, Math.sin(t) * dx + Math.cos(t) * dy + cy, Math.cos(t) * dx - Math.sin(t) * dy + cx));
    }
  });
  close(got, want, 1e-5, 'rotate');
  const sq = tf.tensor4d(data.slice(0, 100), [1, 10, 10, 1]);
  const r90 = rotate(sq, [Math.PI / 2], 'constant').dataSync();
  const sqv = data.slice(0, 100);
  const expected = Array.from({ length: 100 }, (_, k) => sqv[Math.floor(k % 10) * 10 + (9 - Math.floor(k / 10))]!);
  close(r90, expected, 1e-5, 'rot90');
});

test('affine resampling folds out-of-image neighbours for nearest and reflect fill modes', () => {
  const fold = (i: number, n: number, mode: string) => {
    if (i >= 0 && i < n) return i;
    if (mode === 'nearest') return Math.min(Math.max(i, 0), n - 1);
    const p = 2 * (n - 1), r = ((i % p) + p) % p;
    return r < n ? r : p - r;
  };
  for (const mode of ['nearest', 'reflect'] as const) {
    const angles = [0.7, -1.2, 2.5];
    const got = rotate(images(), angles, mode).dataSync();
    const cx = (W - 1) / 2, cy = (H - 1) / 2;
    const want: number[] = [];
    angles.forEach((t, b) => {
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
        const dx = x - cx, dy = y - cy;
        const sy = Math.sin(t) * dx + Math.cos(t) * dy + cy, sx = Math.cos(t) * dx - Math.sin(t) * dy + cx;
        const y0 = Math.floor(sy), x0 = Math.floor(sx), fy = sy - y0, fx = sx - x0;
        const r = (yy: number, xx: number) => px(b, fold(yy, H, mode), fold(xx, W, mode));
        want.push((1 - fy) * ((1 - fx) * r(y0, x0) + fx * r(y0, x0 + 1)) + fy * ((1 - fx) * r(y0 + 1, x0) + fx * r(y0 + 1, x0 + 1)));
      }
    });
    close(got, want, 1e-5, mode);
  }
  assert.equal(Array.from(rotate(images(), [0, 0, 0]).dataSync()).every((v, i) => Math.abs(v - data[i]!) < 1e-6), true, 'angle 0 is the identity for every sample');
});

test('horizontalFlip mirrors only the flagged samples', () => {
  const got = horizontalFlip(images(), [true, false, true]).dataSync();
  const want: number[] = [];
  for (let b = 0; b < N; b++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) want.push(b === 1 ? px(b, y, x) : px(b, y, W - 1 - x));
  close(got, want, 0, 'flip');
});

test('brightness, contrast and gamma follow their formulas per sample', () => {
  const b = brightness(images(), [0.1, 0, -0.2]).dataSync();
  close(b, Array.from(data, (v, i) => v + [0.1, 0, -0.2][Math.floor(i / (H * W))]!), 1e-6, 'brightness');
  const c = contrast(images(), [1.5, 1, 0.5]).dataSync();
  const means = [0, 1, 2].map((s) => data.slice(s * H * W, (s + 1) * H * W).reduce((a, v) => a + v, 0) / (H * W));
  close(c, Array.from(data, (v, i) => { const s = Math.floor(i / (H * W)); return (v - means[s]!) * [1.5, 1, 0.5][s]! + means[s]!; }), 1e-5, 'contrast');
  const g = gamma(images(), [2, 1, 0.5]).dataSync();
  const want = Array.from(data, (v, i) => {
    const s = Math.floor(i / (H * W));
    const slice = data.slice(s * H * W, (s + 1) * H * W);
    const lo = Math.min(...slice), hi = Math.max(...slice);
    return ((v - lo) / (hi - lo + 1e-7)) ** [2, 1, 0.5][s]! * (hi - lo) + lo;
  });
  close(g, want, 1e-5, 'gamma');
});

test('gaussianNoise: σ = 0 is the identity, the residual std matches σ, and the seed fixes the draw', () => {
  const big = tf.zeros([2, 64, 64, 1]) as tf.Tensor4D;
  const noisy = gaussianNoise(big, [0, 0.2], 7);
  const v = noisy.dataSync();
  assert.ok(v.slice(0, 4096).every((x) => x === 0));
  const s = Array.from(v.slice(4096));
  const std = Math.sqrt(s.reduce((a, x) => a + x * x, 0) / s.length);
  assert.ok(Math.abs(std - 0.2) < 0.01, `std ${std}`);
  assert.deepEqual(gaussianNoise(big, [0, 0.2], 7).dataSync(), v);
  assert.notDeepEqual(gaussianNoise(big, [0, 0.2], 8).dataSync(), v);
});

test('gaussianBlur matches a naive 2-D convolution with reflect padding, σ per sample', () => {
  const sigmas = [1.0, 0, 0.6];
  const got = gaussianBlur(images(), sigmas).dataSync();
  const r = Math.ceil(3 * 1.0);
  const reflect = (i: number, n: number) => (i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i);
  const want: number[] = [];
  sigmas.forEach((s, b) => {
    const k = gaussianKernel1d(s, r);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      let acc = 0;
      for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) acc += k[dy + r]! * k[dx + r]! * px(b, reflect(y + dy, H), reflect(x + dx, W));
      want.push(acc);
    }
  });
  close(got, want, 1e-5, 'blur');
  const k = gaussianKernel1d(0.8, 3);
  assert.ok(Math.abs(k.reduce((a, x) => a + x, 0) - 1) < 1e-6);
  assert.ok(Math.abs(k[3]! / k[4]! - Math.exp(1 / (2 * 0.64))) < 1e-4);
});

const fullConfig = {
  outputSize: 8,
  crop: { scale: [0.4, 1] as [number, number], ratio: [0.75, 1.333] as [number, number] },
  rotate: { p: 0.5, degrees: 15 },
  flip: { p: 0.5 },
  brightness: { p: 0.8, delta: 0.1 },
  contrast: { p: 0.8, range: [0.8, 1.2] as [number, number] },
  gamma: { p: 0.5, range: [0.7, 1.4] as [number, number] },
  blur: { p: 0.5, sigma: [0.1, 1] as [number, number] },
  noise: { p: 0.5, std: [0, 0.05] as [number, number] },
};

test('augmentBatch is reproducible by seed, differs across seeds, and leaks no tensor', () => {
  const x = images();
  const before = tf.memory().numTensors;
  const a = augmentBatch(x, fullConfig, 42);
  const b = augmentBatch(x, fullConfig, 42);
  const c = augmentBatch(x, fullConfig, 43);
  assert.deepEqual(a.shape, [N, 8, 8, 1]);
  assert.deepEqual(a.dataSync(), b.dataSync());
  assert.notDeepEqual(a.dataSync(), c.dataSync());
  const [v1, v2] = twoViews(x, fullConfig, 5);
  assert.notDeepEqual(v1.dataSync(), v2.dataSync());
  [a, b, c, v1, v2].forEach((t) => t.dispose());
  assert.equal(tf.memory().numTensors, before);
});

test('augmentBatch composes crop, rotation and flip into one sampling map, as a naive per-pixel mapping', () => {
  const cfg = { outputSize: 7, crop: { scale: [0.3, 1] as [number, number], ratio: [0.5, 2] as [number, number] }, rotate: { p: 1, degrees: 30, fill: 'constant' as const }, flip: { p: 0.5 } };
  // Re-draw the parameters in augmentBatch's order: crops, angles, flips.
  const rng = new Rng(21);
  const crops = [0, 1, 2].map(() => sampleCrop(rng, H, W, cfg.crop.scale, cfg.crop.ratio));
  const rad = (30 * Math.PI) / 180;
  const angles = [0, 1, 2].map(() => (rng.next() < 1 ? rng.uniform(-rad, rad) : 0));
  const flips = [0, 1, 2].map(() => rng.next() < 0.5);
  const S = 7, c = (S - 1) / 2;
  const want: number[] = [];
  for (let b = 0; b < N; b++) {
    const cr = crops[b]!, t = angles[b]!;
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) {
      const fx = flips[b] ? S - 1 - x : x;
      const rx = Math.cos(t) * (fx - c) - Math.sin(t) * (y - c) + c;
      const ry = Math.sin(t) * (fx - c) + Math.cos(t) * (y - c) + c;
      want.push(bilinear(b, cr.top + (ry * (cr.height - 1)) / (S - 1), cr.left + (rx * (cr.width - 1)) / (S - 1)));
    }
  }
  close(augmentBatch(images(), cfg, 21).dataSync(), want, 1e-5, 'composed');
});

test('augmentBatch with only a crop equals resizedCrop with the crops the same seed draws', () => {
  const cfg = { outputSize: 6, crop: { scale: [0.3, 1] as [number, number], ratio: [0.5, 2] as [number, number] } };
  const rng = new Rng(9);
  const crops = [0, 1, 2].map(() => sampleCrop(rng, H, W, cfg.crop.scale, cfg.crop.ratio));
  close(augmentBatch(images(), cfg, 9).dataSync(), resizedCrop(images(), crops, 6).dataSync(), 0, 'crop-only');
  // an empty config is the identity
  close(augmentBatch(images(), {}, 1).dataSync(), data, 0, 'identity');
});
