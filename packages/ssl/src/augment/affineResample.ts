import * as tf from '@tensorflow/tfjs-core';

export type FillMode = 'constant' | 'reflect' | 'nearest';

/** 2×3 affine map [a, b, c, d, e, f]: (x, y) → (a·x + b·y + c, d·x + e·y + f). */
export type Affine = number[];

/** outer ∘ inner: first `inner`, then `outer`. */
export function composeAffine(outer: Affine, inner: Affine): Affine {
  const [a, b, c, d, e, f] = outer as [number, number, number, number, number, number];
  const [p, q, r, s, t, u] = inner as [number, number, number, number, number, number];
  return [a * p + b * s, a * q + b * t, a * r + b * u + c, d * p + e * s, d * q + e * t, d * r + e * u + f];
}

/** Rotation by θ about (cx, cy), as the sampling map of `rotate`. */
export function rotationAffine(theta: number, cx: number, cy: number): Affine {
  const c = Math.cos(theta), s = Math.sin(theta);
  return [c, -s, cx - c * cx + s * cy, s, c, cy - s * cx - c * cy];
}

/**
 * Per-sample affine resampling with bilinear interpolation, built from gathers so it behaves the same
 * on every backend. (tf.image.transform is not used: the tfjs-backend-cpu 4.22 Transform kernel
 * returns after the first batch element, leaving the others at the fill value.)
 *
 * Output pixel (x, y) of sample b samples the input at
 *   (m[0]·x + m[1]·y + m[2],  m[3]·x + m[4]·y + m[5]),  m = matrices[b] (6 numbers),
 * in pixel-centre coordinates. A neighbour outside the image reads `fillValue` ('constant'), the
 * nearest edge pixel ('nearest'), or its mirror about the edge pixel ('reflect': −1 → 1, W → W−2).
 * images [N,H,W,C] → [N,outH,outW,C].
 */
export function affineResample(
  images: tf.Tensor4D,
  matrices: ArrayLike<number>[],
  outSize: [number, number],
  fillMode: FillMode = 'reflect',
  fillValue = 0,
): tf.Tensor4D {
  const [n, h, w, c] = images.shape;
  if (matrices.length !== n) throw new Error(`affineResample: ${matrices.length} matrices for ${n} images`);
  const [oh, ow] = outSize;
  const count = n * oh * ow;
  const fillIndex = n * h * w;
  const index = [0, 1, 2, 3].map(() => new Int32Array(count));
  const weight = [0, 1, 2, 3].map(() => new Float32Array(count));
  const fold = (i: number, len: number): number => {
    if (i >= 0 && i < len) return i;
    if (fillMode === 'nearest') return Math.min(Math.max(i, 0), len - 1);
    if (fillMode === 'constant' || len === 1) return -1;
    const period = 2 * (len - 1);
    const r = ((i % period) + period) % period;
    return r < len ? r : period - r;
  };
  let k = 0;
  for (let b = 0; b < n; b++) {
    const m = matrices[b]!;
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++, k++) {
        const sx = m[0]! * x + m[1]! * y + m[2]!;
        const sy = m[3]! * x + m[4]! * y + m[5]!;
        const x0 = Math.floor(sx), y0 = Math.floor(sy);
        const fx = sx - x0, fy = sy - y0;
        const corners: Array<[number, number, number]> = [[y0, x0, (1 - fy) * (1 - fx)], [y0, x0 + 1, (1 - fy) * fx], [y0 + 1, x0, fy * (1 - fx)], [y0 + 1, x0 + 1, fy * fx]];
        corners.forEach(([yy, xx, wt], j) => {
          const ry = fold(yy, h), rx = fold(xx, w);
          index[j]![k] = ry < 0 || rx < 0 ? fillIndex : (b * h + ry) * w + rx;
          weight[j]![k] = wt;
        });
      }
    }
  }
  return tf.tidy(() => {
    const flat = tf.concat([tf.reshape(images, [n * h * w, c]), tf.fill([1, c], fillValue)], 0);
    let out: tf.Tensor = tf.zeros([count, c]);
    for (let j = 0; j < 4; j++) {
      out = tf.add(out, tf.mul(tf.gather(flat, tf.tensor1d(index[j]!, 'int32')), tf.tensor2d(weight[j]!, [count, 1])));
    }
    return tf.reshape(out, [n, oh, ow, c]) as tf.Tensor4D;
  });
}
