import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { FederatedNames, type FederatedPolicy, type NamedTensors } from '@fedcl/protocol';
import {
  augmentViews,
  createMethod,
  loadAugmentConfig,
  micleViews,
  Trainer,
  type BatchSource,
  type SslMethod,
  type TrainProgress,
} from '@fedcl/ssl';
import { augmentPresetFor, methodConfigOf, trainerConfigOf, type TrainingSpec } from './trainingSpec.js';

const AUGMENT_DIR = fileURLToPath(new URL('../../../../configs/augment/', import.meta.url));

/** Copies live tensors into plain named arrays (the protocol's currency). */
export function toNamedTensors(tensors: Map<string, tf.Tensor>): NamedTensors {
  return new Map([...tensors].map(([name, t]) => [name, { shape: [...t.shape], data: Float32Array.from(t.dataSync() as Float32Array) }]));
}

/** The federated part of a freshly initialised model: version 0 of a federation. */
export function initialWeights(spec: TrainingSpec, policy: FederatedPolicy): NamedTensors {
  const method = createMethod(methodConfigOf(spec));
  try {
    return new FederatedNames(policy).select(toNamedTensors(method.weights().federated));
  } finally {
    method.dispose();
  }
}

export interface LocalRoundResult {
  /** The federated weights after local training (names selected by the round's policy). */
  weights: NamedTensors;
  /** Images in the local dataset: the FedAvg weight. */
  samples: number;
  /** Mean loss of the last local epoch. */
  loss: number;
  steps: number;
  seconds: number;
}

/**
 * A site's model across rounds. The method (encoder, heads, target/momentum nets, MoCo queue)
 * lives as long as the agent, so everything that stays local carries over between rounds;
 * each round loads the global encoder and trains `localEpochs` with a fresh optimizer.
 */
export class LocalModel {
  readonly method: SslMethod;

  constructor(readonly spec: TrainingSpec) {
    this.method = createMethod(methodConfigOf(spec));
  }

  /** The federated weights under `policy`, copied out. */
  federated(policy: FederatedPolicy): NamedTensors {
    return new FederatedNames(policy).select(toNamedTensors(this.method.weights().federated));
  }

  /**
   * Loads the global weights. Names the policy excludes (FedBN) are absent from the global
   * model and keep their local values; a global tensor whose size differs is an error.
   */
  loadGlobal(global: NamedTensors): void {
    const current = this.method.weights().federated;
    const merged = new Map<string, Float32Array | tf.Tensor>(current);
    for (const [name, t] of global) {
      if (!current.has(name)) throw new Error(`the global model has '${name}', which this site's model (${this.spec.method}/${this.spec.arch}) lacks: the federation's training settings differ from the model`);
      merged.set(name, t.data);
    }
    this.method.setWeights(merged);
  }

  /** Trains one round locally; returns the new federated weights and what to report. */
  async trainRound(o: {
    source: BatchSource;
    samples: number;
    round: number;
    proximalMu: number;
    policy: FederatedPolicy;
    modality?: string;
    onProgress?: (p: TrainProgress) => void;
    signal?: AbortSignal;
  }): Promise<LocalRoundResult> {
    const preset = augmentPresetFor(this.spec, o.modality);
    const augment = loadAugmentConfig(`${AUGMENT_DIR}${preset}.yaml`);
    const makeViews = this.spec.pairs === 'augment' ? augmentViews(augment) : micleViews(augment);
    const trainer = new Trainer({
      method: this.method,
      source: o.source,
      makeViews,
      config: trainerConfigOf(this.spec, o.round, o.proximalMu),
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    });
    const t0 = performance.now();
    try {
      if (o.proximalMu > 0) trainer.setProxAnchor();
      const result = await trainer.run(o.signal ? { signal: o.signal } : {});
      const lastEpoch = result.metrics.epochLoss.at(-1);
      return {
        weights: this.federated(o.policy),
        samples: o.samples,
        loss: lastEpoch ?? Number.NaN,
        steps: result.step,
        seconds: (performance.now() - t0) / 1000,
      };
    } finally {
      trainer.dispose();
    }
  }

  dispose(): void {
    this.method.dispose();
  }
}
