import { join } from 'node:path';
import { stat } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import { saveSafetensors } from '../export/namedTensors.js';
import { loadNamedTensors, saveNamedTensors } from '../export/tfjsDirectory.js';
import { createEncoder } from '../models/createEncoder.js';
import type { EncoderConfig } from '../models/types.js';
import type { Classifier } from './classifier.js';

/** What a saved classifier says about itself (model.json metadata and safetensors __metadata__). */
export interface ClassifierMetadata {
  /** Class names; index = output unit. */
  classes: string[];
  /** Binary tasks: the class whose probability is the anomaly score. */
  positiveClass?: string;
  mode: 'linear' | 'full';
  /** Where the encoder came from (a path, 'none' for from-scratch). */
  encoderSource: string;
  /** Anything else worth keeping (label fraction, seed, metrics…). */
  extra?: Record<string, string | number>;
}

export const CLASSIFIER_TFJS_DIR = 'tfjs';
export const CLASSIFIER_SAFETENSORS = 'classifier.safetensors';

export class ClassifierLoadError extends Error {
  override readonly name = 'ClassifierLoadError';
}

function namedTensors(c: Classifier): Map<string, tf.Tensor> {
  const { federated, local } = c.encoder.weights();
  return new Map<string, tf.Tensor>([...federated, ...local, ['head/kernel', c.kernel], ['head/bias', c.bias], ['head/mean', c.mean], ['head/std', c.std]]);
}

/** Writes `dir/tfjs/{model.json,weights.bin}` and `dir/classifier.safetensors`; returns the files. */
export async function saveClassifier(dir: string, c: Classifier, meta: ClassifierMetadata): Promise<string[]> {
  const tensors = namedTensors(c);
  const info = { ...meta, encoder: c.encoder.config, featureDim: c.encoder.featureDim, numClasses: c.numClasses };
  await saveNamedTensors(join(dir, CLASSIFIER_TFJS_DIR), tensors, info, 'fedcl-classifier');
  const st = join(dir, CLASSIFIER_SAFETENSORS);
  await saveSafetensors(st, tensors, { layout: 'tfjs', metadata: { fedcl: JSON.stringify(info) } });
  return [join(dir, CLASSIFIER_TFJS_DIR, 'model.json'), join(dir, CLASSIFIER_TFJS_DIR, 'weights.bin'), st];
}

/** Loads a classifier written by `saveClassifier` (from its tfjs directory). */
export async function loadClassifier(dir: string): Promise<{ classifier: Classifier; metadata: ClassifierMetadata }> {
  const modelDir = join(dir, CLASSIFIER_TFJS_DIR);
  if (!(await stat(join(modelDir, 'model.json')).catch(() => undefined))) {
    throw new ClassifierLoadError(`${dir} holds no ${CLASSIFIER_TFJS_DIR}/model.json: give the --out directory of 'fedcl finetune'`);
  }
  const { tensors, metadata, format } = await loadNamedTensors(modelDir);
  if (format !== 'fedcl-classifier') {
    tf.dispose([...tensors.values()]);
    throw new ClassifierLoadError(`${modelDir} is a '${format}' model, not a fedcl classifier`);
  }
  const m = metadata as unknown as ClassifierMetadata & { encoder: EncoderConfig; numClasses: number };
  const encoder = createEncoder(m.encoder);
  const { federated, local } = encoder.weights();
  for (const [name, v] of [...federated, ...local]) {
    const t = tensors.get(name);
    if (!t) throw new ClassifierLoadError(`${modelDir} lacks encoder weight '${name}'`);
    v.assign(t);
  }
  const take = (name: string) => {
    const t = tensors.get(name);
    if (!t) throw new ClassifierLoadError(`${modelDir} lacks '${name}'`);
    return t;
  };
  const classifier: Classifier = {
    encoder,
    numClasses: m.numClasses,
    kernel: tf.variable(take('head/kernel')),
    bias: tf.variable(take('head/bias')),
    mean: tf.clone(take('head/mean')) as tf.Tensor1D,
    std: tf.clone(take('head/std')) as tf.Tensor1D,
  };
  tf.dispose([...tensors.values()]);
  const { classes, positiveClass, mode, encoderSource, extra } = m;
  return { classifier, metadata: { classes, mode, encoderSource, ...(positiveClass !== undefined ? { positiveClass } : {}), ...(extra ? { extra } : {}) } };
}
