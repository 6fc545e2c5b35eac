import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { version_core } from '@tensorflow/tfjs-core';
import { loadNamedTensors, saveNamedTensors } from '../export/tfjsDirectory.js';
import type { OptimizerConfig } from './optim/types.js';
import type { TrainerConfig } from './trainerConfig.js';

export const CHECKPOINT_JSON = 'checkpoint.json';

/** The compute backend a run used (the BackendReport of backend/initBackend), recorded as is. */
export type BackendInfo = { readonly name: string };

/** Metrics a run accumulates; stored in checkpoints so a resumed run continues them. */
export interface TrainMetrics {
  /** Mean loss of each completed epoch. */
  epochLoss: number[];
  /** kNN monitor accuracies. */
  knn: { epoch: number; step: number; accuracy: number }[];
  /** Loss sum and step count of the epoch in progress. */
  currentEpoch: { lossSum: number; steps: number };
}

/** The JSON side of a checkpoint (`checkpoint.json`); tensors sit beside it in tfjs format. */
export interface CheckpointManifest {
  format: 'fedcl-checkpoint';
  version: 1;
  createdAt: string;
  /** Method name ('simclr', …). */
  method: string;
  /** Method configuration as given by the caller (opaque here). */
  methodConfig: unknown;
  /** Trainer configuration with every default filled in. */
  trainer: Required<TrainerConfig>;
  /** Compute backend the run used. */
  backend: BackendInfo | null;
  /** BatchSource fingerprint; a resume on other data is refused. */
  dataFingerprint: string | null;
  /** Position: `step` optimizer steps done; epoch `epoch`, of which `stepInEpoch` batches done. */
  progress: { step: number; epoch: number; stepInEpoch: number; totalSteps: number };
  optimizer: { config: OptimizerConfig; iterations: number };
  /** Augmentations draw from Rng(stepSeed(seed, step)): the seed is the whole RNG state. */
  rng: { seed: number; scheme: 'stepSeed(seed, step)' };
  /** Whether FedProx anchors ('prox/<i>') are stored. */
  proxAnchor: boolean;
  metrics: TrainMetrics;
  tfjs: string;
}

/** Checkpoint tensors, by group: method weights by name, optimizer slots and prox anchors by index. */
export interface CheckpointTensors {
  federated: Map<string, tf.Tensor>;
  local: Map<string, tf.Tensor>;
  optimizer: Map<string, tf.Tensor>;
  prox: Map<string, tf.Tensor>;
}

export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

const GROUPS = ['federated', 'local', 'optimizer', 'prox'] as const;

/**
 * Writes a checkpoint directory: `checkpoint.json` plus `model.json` / `weights.bin` (tfjs weights
 * format, float32 stored exactly). The directory is written beside the target and swapped in, so
 * an interrupted save leaves the previous checkpoint intact.
 */
export async function saveCheckpoint(dir: string, manifest: Omit<CheckpointManifest, 'format' | 'version' | 'createdAt' | 'tfjs'>, tensors: CheckpointTensors): Promise<void> {
  const full: CheckpointManifest = { format: 'fedcl-checkpoint', version: 1, createdAt: new Date().toISOString(), tfjs: version_core, ...manifest };
  const named = new Map<string, tf.Tensor>();
  for (const g of GROUPS) for (const [k, t] of tensors[g]) named.set(`${g}/${k}`, t);
  const tmp = `${dir}.tmp-${process.pid}`;
  const old = `${dir}.old-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await saveNamedTensors(tmp, named, { checkpoint: { method: full.method, step: full.progress.step } }, 'fedcl-checkpoint');
  await writeFile(join(tmp, CHECKPOINT_JSON), JSON.stringify(full, null, 2));
  await rename(dir, old).catch(() => undefined);
  await rename(tmp, dir);
  // the previous copy, and leftovers of an earlier interrupted save
  const parent = dirname(dir);
  for (const n of await readdir(parent)) {
    if (n.startsWith(`${basename(dir)}.old-`) || n.startsWith(`${basename(dir)}.tmp-`)) await rm(join(parent, n), { recursive: true, force: true });
  }
}

/**
 * Reads a checkpoint directory; the caller disposes the tensors. When `dir` is missing because a
 * save was interrupted between its two renames, the complete new copy (`<dir>.tmp-*`, whose
 * checkpoint.json is written last) or else the previous one (`<dir>.old-*`) is read instead.
 */
export async function loadCheckpoint(dir: string): Promise<{ manifest: CheckpointManifest; tensors: CheckpointTensors }> {
  return readCheckpointDir((await interruptedSaveCopy(dir)) ?? dir);
}

async function interruptedSaveCopy(dir: string): Promise<string | undefined> {
  if (await isFile(join(dir, CHECKPOINT_JSON))) return undefined;
  const parent = dirname(dir);
  const names = await readdir(parent).catch(() => [] as string[]);
  for (const kind of ['tmp', 'old']) {
    for (const n of names.filter((x) => x.startsWith(`${basename(dir)}.${kind}-`)).sort()) {
      if (await isFile(join(parent, n, CHECKPOINT_JSON))) return join(parent, n);
    }
  }
  return undefined;
}

async function isFile(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isFile(),
    () => false,
  );
}

async function readCheckpointDir(dir: string): Promise<{ manifest: CheckpointManifest; tensors: CheckpointTensors }> {
  let manifest: CheckpointManifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, CHECKPOINT_JSON), 'utf8')) as CheckpointManifest;
  } catch (e) {
    throw new CheckpointError(`cannot read ${join(dir, CHECKPOINT_JSON)}: ${(e as Error).message}. Is ${dir} a fedcl checkpoint directory?`);
  }
  if (manifest.format !== 'fedcl-checkpoint' || manifest.version !== 1) {
    throw new CheckpointError(`${dir} holds format ${String(manifest.format)} v${String(manifest.version)}; this fedcl reads fedcl-checkpoint v1`);
  }
  const { tensors } = await loadNamedTensors(dir);
  const out: CheckpointTensors = { federated: new Map(), local: new Map(), optimizer: new Map(), prox: new Map() };
  for (const [name, t] of tensors) {
    const slash = name.indexOf('/');
    const group = name.slice(0, slash) as (typeof GROUPS)[number];
    if (!GROUPS.includes(group)) {
      t.dispose();
      throw new CheckpointError(`unexpected tensor '${name}' in ${dir}`);
    }
    out[group].set(name.slice(slash + 1), t);
  }
  return { manifest, tensors: out };
}
