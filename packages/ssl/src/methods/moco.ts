import * as tf from '@tensorflow/tfjs-core';
import '../models/registerGradients.js';
import { MethodBase } from './methodBase.js';
import type { ResolvedMethodConfig } from './methodConfig.js';
import { emaUpdate } from './network.js';
import { mocoInfoNceLoss } from '../losses/mocoInfoNce.js';
import { l2Normalize } from '../losses/l2Normalize.js';
import { Rng } from '../augment/rng.js';

/**
 * MoCo v2 [arXiv:1911.05722, arXiv:2003.04297]: queries from the online encoder + MLP head on view1,
 * keys from the momentum encoder on view2, negatives from a FIFO queue of past keys (local state
 * 'queue' [K,P], initialised with random unit vectors as in the reference code, and 'queue_pointer'
 * [1], the next row to write, so a checkpoint restores both). `loss` remembers the batch's keys;
 * `afterStep` updates the momentum encoder (m) and enqueues them.
 */
export class Moco extends MethodBase {
  readonly name = 'moco' as const;
  private readonly lossFn;
  private readonly queue: tf.Variable;
  private readonly pointer: tf.Variable;
  private pendingKeys?: tf.Tensor2D;

  constructor(config: ResolvedMethodConfig) {
    super(config, true);
    this.lossFn = mocoInfoNceLoss({ temperature: config.temperature });
    const p = config.projector[config.projector.length - 1]!.out;
    const rng = new Rng(config.seed + 2);
    this.queue = tf.tidy(() => tf.variable(l2Normalize(tf.tensor2d(rng.normals(config.queueSize! * p), [config.queueSize!, p])), false));
    this.pointer = tf.variable(tf.zeros([1]), false);
  }

  loss(view1: tf.Tensor4D, view2: tf.Tensor4D): tf.Scalar {
    return tf.tidy(() => {
      const q = this.online.project(view1, true);
      const k = this.target!.project(view2, true);
      this.pendingKeys?.dispose();
      this.pendingKeys = tf.keep(l2Normalize(k));
      return this.lossFn(q, k, this.queue as tf.Tensor2D);
    });
  }

  override afterStep(): void {
    emaUpdate(this.target!, this.online, this.config.momentum!);
    if (!this.pendingKeys) return;
    const keys = this.pendingKeys;
    this.pendingKeys = undefined;
    const size = this.queue.shape[0]!;
    const pointer = Math.round(this.pointer.dataSync()[0]!) % size;
    tf.tidy(() => {
      // Newest keys win when a batch is larger than the queue.
      const k = keys.shape[0] > size ? tf.slice(keys, [keys.shape[0] - size, 0], [size, -1]) : keys;
      const n = k.shape[0];
      const rows = Array.from({ length: size }, (_, i) => i);
      const slot = new Int32Array(size).fill(-1);
      for (let j = 0; j < n; j++) slot[(pointer + j) % size] = j;
      // New queue row i = key slot[i] if written this step, else old row i: one gather over [old; keys].
      const index = tf.tensor1d(rows.map((i) => (slot[i]! >= 0 ? size + slot[i]! : i)), 'int32');
      this.queue.assign(tf.gather(tf.concat([this.queue, k], 0), index));
      this.pointer.assign(tf.tensor1d([(pointer + n) % size]));
    });
    keys.dispose();
  }

  protected override extraLocal(): Map<string, tf.Variable> {
    return new Map([['queue', this.queue], ['queue_pointer', this.pointer]]);
  }

  override dispose(): void {
    super.dispose();
    this.queue.dispose();
    this.pointer.dispose();
    this.pendingKeys?.dispose();
  }
}
