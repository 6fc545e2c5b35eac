import * as tf from '@tensorflow/tfjs-core';
import { SlotOptimizer } from './slotOptimizer.js';
import { OptimizerError, type AdamConfig } from './types.js';

/**
 * Adam / AdamW (see `AdamConfig`). Per variable:
 * w ← w(1 − lr·wd); m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²;
 * w ← w − lr·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε).
 */
export class Adam extends SlotOptimizer<AdamConfig> {
  protected readonly slotNames = ['m', 'v'] as const;

  constructor(config: Omit<AdamConfig, 'kind'> = {}) {
    const c = { kind: 'adam' as const, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0, ...config };
    for (const k of ['beta1', 'beta2'] as const) {
      if (!(c[k] >= 0 && c[k] < 1)) throw new OptimizerError(`adam ${k} must be in [0, 1), got ${c[k]}`);
    }
    if (!(c.epsilon > 0)) throw new OptimizerError(`adam epsilon must be > 0, got ${c.epsilon}`);
    if (!(c.weightDecay >= 0)) throw new OptimizerError(`adam weightDecay must be ≥ 0, got ${c.weightDecay}`);
    super(c);
  }

  protected update(w: tf.Tensor, g: tf.Tensor, s: Record<string, tf.Tensor>, lr: number, t: number) {
    const { beta1, beta2, epsilon, weightDecay } = this.opts;
    const m = tf.add(tf.mul(s.m!, beta1), tf.mul(g, 1 - beta1));
    const v = tf.add(tf.mul(s.v!, beta2), tf.mul(tf.square(g), 1 - beta2));
    const bc1 = 1 - beta1 ** t;
    const bc2 = 1 - beta2 ** t;
    const decayed = weightDecay > 0 ? tf.mul(w, 1 - lr * weightDecay) : w;
    const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(bc2)), epsilon);
    const next = tf.sub(decayed, tf.mul(tf.div(m, denom), lr / bc1));
    return { w: next, slots: { m, v } };
  }
}
