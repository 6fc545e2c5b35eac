import * as tf from '@tensorflow/tfjs-core';

/**
 * GroupNorm for feature maps with a hand-written gradient, for speed: the same maths as `groupNorm`
 * (which stays the readable reference it is tested against), but
 * - per-channel sums over H·W are batched mat-vec products (ones[1,HW] · x[HW,C]) instead of
 *   reductions over non-contiguous axes, which the wasm backend performs by transposing;
 * - the affine part is folded into one per-(sample, channel) scale a and shift b, so the forward
 *   costs two full-size elementwise ops (x·a + b) and the backward five, against about twenty for
 *   automatic differentiation of the composed ops.
 *
 * Backward (per sample, group g of M = H·W·C/G elements, r = 1/√(σ²+ε), x̂ = (x−μ)·r):
 *   dβ_c = Σ dy, dγ_c = Σ dy·x̂ = r·(Σ dy·x − μ Σ dy),
 *   dx = r·(γ·dy − mean_g(γ·dy) − x̂·mean_g(γ·dy·x̂)) = a·dy + P·x + Q with per-channel P, Q.
 *
 * @param x [N,H,W,C]; gamma, beta [C]; groups G dividing C. Returns [N,H,W,C].
 */
export function groupNormFused(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, groups: number, eps = 1e-5): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  if (c % groups !== 0) throw new Error(`groupNorm: ${groups} groups do not divide ${c} channels`);
  const hw = h * w, cg = c / groups, m = hw * cg;
  // Sum over each channel's group, broadcast back per channel: [N,1,C] → [N,1,C].
  const groupSum = (t: tf.Tensor) => tf.reshape(tf.tile(tf.sum(tf.reshape(t, [n, groups, cg]), 2, true), [1, 1, cg]), [n, 1, c]);
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xs, g, b, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const x3 = tf.reshape(xs, [n, hw, c]);
    const ones = tf.ones([n, 1, hw]);
    const mean = tf.div(groupSum(tf.matMul(ones, x3)), m);
    const meanSq = tf.div(groupSum(tf.matMul(ones, tf.square(x3))), m);
    const r = tf.rsqrt(tf.add(tf.relu(tf.sub(meanSq, tf.square(mean))), eps));
    const a = tf.mul(r, g);
    const shift = tf.sub(b, tf.mul(mean, a));
    save([x3, mean, r, g]);
    return {
      value: tf.reshape(tf.add(tf.mul(x3, a), shift), [n, h, w, c]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, mu, rr, gg] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        const dy3 = tf.reshape(dy, [n, hw, c]);
        const ones1 = tf.ones([n, 1, hw]);
        const sDy = tf.matMul(ones1, dy3);
        const sDyX = tf.matMul(ones1, tf.mul(dy3, sx));
        const sDyXhat = tf.mul(rr, tf.sub(sDyX, tf.mul(mu, sDy)));
        const dBeta = tf.sum(sDy, 0, true);
        const dGamma = tf.sum(sDyXhat, 0, true);
        const m1 = tf.div(groupSum(tf.mul(gg, sDy)), m);
        const m2 = tf.div(groupSum(tf.mul(gg, sDyXhat)), m);
        const p = tf.neg(tf.mul(tf.square(rr), m2));
        const q = tf.sub(tf.mul(tf.mul(tf.square(rr), mu), m2), tf.mul(rr, m1));
        const dx = tf.add(tf.add(tf.mul(dy3, tf.mul(rr, gg)), tf.mul(sx, p)), q);
        return [tf.reshape(dx, [n, h, w, c]), dGamma, dBeta];
      },
    };
  });
  return op(x, tf.reshape(gamma, [1, 1, c]), tf.reshape(beta, [1, 1, c])) as tf.Tensor4D;
}
