import type * as tf from '@tensorflow/tfjs-core';
import type { Encoder } from '../models/types.js';
import type { MethodName, SslMethod, WeightValues } from './types.js';
import type { ResolvedMethodConfig } from './methodConfig.js';
import { Network, emaUpdate } from './network.js';
import { assignByName } from '../models/paramStore.js';

/**
 * What every method shares: the online network, an optional target (momentum) network that starts
 * as a copy of it, the split of named weights into federated (online encoder) and local (the rest),
 * and setWeights / dispose.
 */
export abstract class MethodBase implements SslMethod {
  abstract readonly name: MethodName;
  readonly encoder: Encoder;
  protected readonly online: Network;
  protected readonly target?: Network;

  constructor(protected readonly config: ResolvedMethodConfig, withTarget: boolean) {
    this.online = new Network(config.encoder, config.projector, config.predictor, config.seed);
    this.encoder = this.online.encoder;
    if (withTarget) {
      this.target = new Network(config.encoder, config.projector, undefined, config.seed, 'target/');
      emaUpdate(this.target, this.online, 0);
    }
  }

  abstract loss(view1: tf.Tensor4D, view2: tf.Tensor4D, labels?: tf.Tensor1D): tf.Scalar;

  afterStep(_step: number, _totalSteps: number): void {}

  trainableVariables(): tf.Variable[] {
    return this.online.trainableVariables();
  }

  /** Extra local state (MoCo's queue). */
  protected extraLocal(): Map<string, tf.Variable> {
    return new Map();
  }

  weights(): { federated: Map<string, tf.Tensor>; local: Map<string, tf.Tensor> } {
    const local = new Map<string, tf.Tensor>([...this.online.localWeights(), ...(this.target?.allWeights() ?? []), ...this.extraLocal()]);
    return { federated: new Map(this.encoder.weights().federated), local };
  }

  setWeights(federated: WeightValues, local?: WeightValues): void {
    assignByName(this.encoder.weights().federated, federated, true);
    if (local) {
      const targets = new Map<string, tf.Variable>([...this.online.localWeights(), ...(this.target?.allWeights() ?? []), ...this.extraLocal()]);
      assignByName(targets, local, false);
    }
  }

  dispose(): void {
    this.online.dispose();
    this.target?.dispose();
  }
}
