import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

export class TfjsArtifactsError extends Error {
  override name = 'TfjsArtifactsError';
}

/**
 * A tfjs IOHandler that saves to / loads from a directory on the local file system, in the layout
 * `tf.loadLayersModel('file://…')` of tfjs-node reads: `model.json` (topology, weights manifest,
 * metadata) beside one `weights.bin`. tfjs-core ships no file:// handler without tfjs-node.
 *
 * Use with `model.save(directoryHandler(dir))` and `tf.loadLayersModel(directoryHandler(dir))`.
 * Files are written to a temporary name then renamed, so a crash never leaves a half-written model.
 */
export function directoryHandler(dir: string): Required<Pick<tf.io.IOHandler, 'save' | 'load'>> {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      await mkdir(dir, { recursive: true });
      const weightData = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const modelJSON: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
      };
      if (artifacts.trainingConfig !== undefined) modelJSON.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata !== undefined) modelJSON.userDefinedMetadata = artifacts.userDefinedMetadata;
      if (artifacts.signature !== undefined) modelJSON.signature = artifacts.signature;
      await atomicWrite(join(dir, WEIGHTS_BIN), new Uint8Array(weightData));
      await atomicWrite(join(dir, MODEL_JSON), JSON.stringify(modelJSON));
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          weightDataBytes: weightData.byteLength,
          weightSpecsBytes: 0,
          modelTopologyBytes: 0,
        },
      };
    },

    async load(): Promise<tf.io.ModelArtifacts> {
      let modelJSON: tf.io.ModelJSON;
      try {
        modelJSON = JSON.parse(await readFile(join(dir, MODEL_JSON), 'utf8')) as tf.io.ModelJSON;
      } catch (e) {
        throw new TfjsArtifactsError(`cannot read ${join(dir, MODEL_JSON)}: ${(e as Error).message}`);
      }
      return tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const p of group.paths) {
            if (p.includes('..') || p.startsWith('/')) throw new TfjsArtifactsError(`weights path '${p}' leaves ${dir}`);
            const b = await readFile(join(dir, p));
            buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
          }
        }
        return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}

/**
 * Saves named tensors in tfjs weights format (model.json with a weights manifest, weights.bin)
 * without a layers topology: for models that are not tf.LayersModel (the fedcl encoders) and for
 * checkpoints. Float32 and int32 are stored as they are, so loading is bit-exact.
 */
export async function saveNamedTensors(
  dir: string,
  tensors: ReadonlyMap<string, tf.Tensor>,
  metadata: Record<string, unknown> = {},
  format = 'fedcl-weights',
): Promise<void> {
  const { data, specs } = await tf.io.encodeWeights(Object.fromEntries(tensors));
  await directoryHandler(dir).save({
    modelTopology: {},
    weightSpecs: specs,
    weightData: data,
    format,
    generatedBy: `TensorFlow.js tfjs-core v${tf.version_core}`,
    userDefinedMetadata: metadata as NonNullable<tf.io.ModelArtifacts['userDefinedMetadata']>,
  });
}

/** Loads what `saveNamedTensors` wrote: new tensors (the caller disposes them) and the metadata. */
export async function loadNamedTensors(
  dir: string,
): Promise<{ tensors: Map<string, tf.Tensor>; metadata: Record<string, unknown>; format: string | undefined }> {
  const artifacts = await directoryHandler(dir).load();
  const decoded = tf.io.decodeWeights(artifacts.weightData ?? new ArrayBuffer(0), artifacts.weightSpecs ?? []);
  return {
    tensors: new Map(Object.entries(decoded)),
    metadata: (artifacts.userDefinedMetadata ?? {}) as Record<string, unknown>,
    format: artifacts.format,
  };
}

async function atomicWrite(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}
