import * as tf from '@tensorflow/tfjs-core';
import { OptimizerError, type Optimizer, type OptimizerConfig, type OptimizerState } from './types.js';

/**
 * Shared bookkeeping of the optimizers: per-variable slot tensors (momentum, second moment),
 * the iteration count, state save/restore and disposal. Subclasses give the update rule.
 */
export abstract class SlotOptimizer<C extends OptimizerConfig> implements Optimizer {
  private readonly slots = new Map<string, tf.Tensor>();
  private count = 0;

  constructor(protected readonly opts: Required<C>) {}

  /** The full configuration, every default filled in (what a checkpoint manifest records). */
  get config(): OptimizerConfig {
    return { ...this.opts } as C;
  }

  get iterations(): number {
    return this.count;
  }

  /** Names of the slots each variable has, e.g. ['m', 'v']. */
  protected abstract readonly slotNames: readonly string[];

  /**
   * The update for one variable, inside a tidy. `slots` holds the current slot tensors (zeros at
   * the first step); return the new variable value and new slots (same names and shapes).
   * `t` is the 1-based iteration number.
   */
  protected abstract update(
    w: tf.Tensor,
    g: tf.Tensor,
    slots: Record<string, tf.Tensor>,
    lr: number,
    t: number,
  ): { w: tf.Tensor; slots: Record<string, tf.Tensor> };

  apply(variables: readonly tf.Variable[], grads: readonly tf.Tensor[], lr: number): void {
    if (variables.length !== grads.length) {
      throw new OptimizerError(`got ${grads.length} gradients for ${variables.length} variables`);
    }
    if (!Number.isFinite(lr) || lr < 0) throw new OptimizerError(`learning rate must be finite and ≥ 0, got ${lr}`);
    const t = this.count + 1;
    variables.forEach((v, i) => {
      const g = grads[i]!;
      if (!sameShape(v.shape, g.shape)) {
        throw new OptimizerError(`gradient ${i} has shape [${g.shape}] but variable '${v.name}' has [${v.shape}]`);
      }
      const old: Record<string, tf.Tensor> = {};
      for (const s of this.slotNames) {
        const key = `${i}/${s}`;
        let slot = this.slots.get(key);
        if (slot === undefined) {
          slot = tf.keep(tf.zerosLike(v));
          this.slots.set(key, slot);
        } else if (!sameShape(slot.shape, v.shape)) {
          throw new OptimizerError(`slot ${key} has shape [${slot.shape}] but variable '${v.name}' has [${v.shape}]: pass the same variables in the same order every step`);
        }
        old[s] = slot;
      }
      tf.tidy(() => {
        const out = this.update(v, g, old, lr, t);
        v.assign(out.w);
        for (const s of this.slotNames) {
          const key = `${i}/${s}`;
          this.slots.set(key, tf.keep(out.slots[s]!));
          old[s]!.dispose();
        }
      });
    });
    this.count = t;
  }

  getState(): OptimizerState {
    const slots = new Map<string, tf.Tensor>();
    for (const [k, v] of this.slots) slots.set(k, tf.clone(v));
    return { iterations: this.count, slots };
  }

  setState(state: OptimizerState): void {
    for (const k of state.slots.keys()) {
      const s = k.split('/')[1];
      if (s === undefined || !this.slotNames.includes(s)) {
        throw new OptimizerError(`state slot '${k}' does not belong to a ${this.opts.kind} optimizer (slots: ${this.slotNames.join(', ')})`);
      }
    }
    this.disposeSlots();
    for (const [k, v] of state.slots) this.slots.set(k, tf.keep(tf.clone(v)));
    this.count = state.iterations;
  }

  dispose(): void {
    this.disposeSlots();
  }

  private disposeSlots(): void {
    for (const v of this.slots.values()) v.dispose();
    this.slots.clear();
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
