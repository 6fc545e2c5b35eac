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
  const index = [0, 1, 2, 3].map(() => new Int32Array(count)) as [Int32Array, Int32Array, Int32Array, Int32Array];
  const weight = [0, 1, 2, 3].map(() => new Float32Array(count)) as [Float32Array, Float32Array, Float32Array, Float32Array];
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
    const [a0, a1, a2, b0, b1, b2] = [m[0]!, m[1]!, m[2]!, m[3]!, m[4]!, m[5]!];
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++, k++) {
        const sx = a0 * x + a1 * y + a2;
        const sy = b0 * x + b1 * y + b2;
        const x0 = Math.floor(sx), y0 = Math.floor(sy);
        const fx = sx - x0, fy = sy - y0;
        const r0 = fold(y0, h), r1 = fold(y0 + 1, h), c0 = fold(x0, w), c1 = fold(x0 + 1, w);
        const row0 = r0 < 0 ? -1 : (b * h + r0) * w, row1 = r1 < 0 ? -1 : (b * h + r1) * w;
        index[0][k] = row0 < 0 || c0 < 0 ? fillIndex : row0 + c0;
        index[1][k] = row0 < 0 || c1 < 0 ? fillIndex : row0 + c1;
        index[2][k] = row1 < 0 || c0 < 0 ? fillIndex : row1 + c0;
        index[3][k] = row1 < 0 || c1 < 0 ? fillIndex : row1 + c1;
        weight[0][k] = (1 - fy) * (1 - fx);
        weight[1][k] = (1 - fy) * fx;
        weight[2][k] = fy * (1 - fx);
        weight[3][k] = fy * fx;
      }
    }
  }
  return tf.tidy(() => {
    const flat = tf.concat([tf.reshape(images, [n * h * w, c]), tf.fill([1, c], fillValue)], 0);
    let out: tf.Tensor = tf.zeros([count, c]);
    for (let j = 0; j < 4; j++) {
      out = tf.add(out, tf.mul(tf.gather(flat, tf.tensor1d(index[j], 'int32')), tf.tensor2d(weight[j], [count, 1])));
    }
    return tf.reshape(out, [n, oh, ow, c]) as tf.Tensor4D;
  });
}
