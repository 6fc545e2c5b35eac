import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Encoder, EncoderConfig } from './types.js';
import type { LayerFactory } from './convEncoder.js';
import { bodyFor } from './createEncoder.js';
import { groupsFor } from './groupNorm.js';
import { GroupNormalization } from './groupNormLayer.js';
import { WeightMismatchError } from '../methods/errors.js';

type Sym = tfl.SymbolicTensor;

/**
 * The encoder as a tfjs-layers LayersModel (input [N,H,W,C], H and W free; output [N,D]), built
 * from the same body description as the functional encoder, with the same weight names
 * ('encoder/stage1/block0/conv1/kernel', …, BatchNorm 'moving_mean'/'moving_variance'), and the
 * encoder's current weights copied in. Its predict() equals `encoder.apply(x, false)`.
 * Save it with `model.save(handler)`; loading needs `GroupNormalization` registered (import this
 * module) when the encoder uses GroupNorm.
 */
export function encoderLayersModel(encoder: Encoder): tfl.LayersModel {
  const model = buildLayersModel(encoder.config);
  const { federated, local } = encoder.weights();
  const values = new Map<string, tf.Tensor>([...federated, ...local]);
  const missing: string[] = [];
  const assigned = model.weights.map((w) => {
    const v = values.get(w.originalName);
    if (!v) missing.push(w.originalName);
    return v;
  });
  if (missing.length || model.weights.length !== values.size) {
    throw new WeightMismatchError(`LayersModel and encoder weights differ: missing ${missing.join(', ') || 'none'}; ${model.weights.length} vs ${values.size} weights`);
  }
  model.setWeights(assigned as tf.Tensor[]);
  return model;
}

/** A LayersModel of the given architecture with freshly initialised weights. */
export function buildLayersModel(config: EncoderConfig, prefix = 'encoder'): tfl.LayersModel {
  const L = tfl.layers;
  const layers: LayerFactory<Sym> = {
    conv: (name, k, _cin, cout, stride, pad) => {
      const padLayer = pad > 0 ? L.zeroPadding2d({ padding: pad, name: `${prefix}/${name}/pad` }) : undefined;
      const conv = L.conv2d({ filters: cout, kernelSize: k, strides: stride, padding: 'valid', useBias: false, name: `${prefix}/${name}` });
      return (x) => conv.apply(padLayer ? padLayer.apply(x) : x) as Sym;
    },
    norm: (name, channels) => {
      const layer = config.norm === 'gn'
        ? new GroupNormalization({ groups: groupsFor(channels, config.groups), name: `${prefix}/${name}` })
        // Keras momentum m keeps m of the old value: PyTorch's 0.1 is m = 0.9.
        : L.batchNormalization({ axis: -1, momentum: 0.9, epsilon: 1e-5, name: `${prefix}/${name}` });
      return (x) => layer.apply(x) as Sym;
    },
    relu: (x) => L.reLU().apply(x) as Sym,
    add: (a, b) => L.add().apply([a, b]) as Sym,
    maxPool: (x) => L.maxPooling2d({ poolSize: 3, strides: 2, padding: 'valid' }).apply(L.zeroPadding2d({ padding: 1 }).apply(x)) as Sym,
  };
  const input = tfl.input({ shape: [null, null, config.inChannels] as unknown as number[], name: `${prefix}/input` });
  const { body } = bodyFor(config)(layers, config);
  const pooled = L.globalAveragePooling2d({ name: `${prefix}/pool` }).apply(body(input, false)) as Sym;
  return tfl.model({ inputs: input, outputs: pooled, name: `${prefix.replace(/\//g, '_')}_${config.arch}` });
}
