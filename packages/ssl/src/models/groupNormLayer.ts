import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { groupNorm } from './groupNorm.js';

/** Arguments of the GroupNormalization layer. */
export interface GroupNormalizationArgs {
  /** Number of groups G; must divide the channel count (last axis). */
  groups: number;
  /** ε added to the variance. Default 1e-5 (torch.nn.GroupNorm). */
  epsilon?: number;
  /** Layer name; its weights are '<name>/gamma' and '<name>/beta'. */
  name?: string;
}

/**
 * GroupNorm as a tfjs-layers layer (tfjs-layers has none), for the LayersModel export of the
 * encoders: channels-last input [N,H,W,C] or [N,C] → same shape, weights gamma [C], beta [C].
 * Loading a saved model needs this module imported first (it registers the class).
 */
export class GroupNormalization extends tfl.layers.Layer {
  static className = 'GroupNormalization';
  private readonly groups: number;
  private readonly epsilon: number;
  private gamma?: tfl.LayerVariable;
  private beta?: tfl.LayerVariable;

  constructor(args: GroupNormalizationArgs) {
    super({ name: args.name });
    this.groups = args.groups;
    this.epsilon = args.epsilon ?? 1e-5;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const c = shape[shape.length - 1];
    if (c == null || c % this.groups !== 0) throw new Error(`GroupNormalization: ${this.groups} groups do not divide ${c} channels`);
    this.gamma = this.addWeight('gamma', [c], 'float32', tfl.initializers.ones());
    this.beta = this.addWeight('beta', [c], 'float32', tfl.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      return groupNorm(x, this.gamma!.read() as tf.Tensor1D, this.beta!.read() as tf.Tensor1D, this.groups, this.epsilon);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), groups: this.groups, epsilon: this.epsilon };
  }
}
tf.serialization.registerClass(GroupNormalization);
