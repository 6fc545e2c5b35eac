import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import type { Encoder, EncoderConfig } from '../models/types.js';
import { loadSafetensors, saveSafetensors, type WeightLayout } from './namedTensors.js';
import { loadNamedTensors, saveNamedTensors } from './tfjsDirectory.js';

export const ENCODER_SAFETENSORS = 'encoder.safetensors';
export const ENCODER_TFJS_DIR = 'tfjs';

export interface EncoderExportOptions {
  /** Default both. */
  formats?: ('tfjs' | 'safetensors')[];
  /** Layout of the safetensors file (default 'torch': ready for torch.nn.Conv2d / Linear). */
  layout?: WeightLayout;
  /** Extra string metadata (model version, federation round, …). */
  metadata?: Record<string, string>;
}

export class EncoderImportError extends Error {
  override name = 'EncoderImportError';
}

/**
 * Exports an encoder's weights — trainable ('federated') and BatchNorm running statistics
 * ('local') — under their stable names ('encoder/stage1/block0/conv1/kernel'), with the encoder
 * configuration in the metadata so the architecture can be rebuilt:
 * - `<dir>/tfjs/model.json` + `weights.bin` (tfjs weights format, exact float32),
 * - `<dir>/encoder.safetensors` (for PyTorch / MONAI; metadata 'encoder' is the JSON config).
 * @returns the files written
 */
export async function exportEncoder(encoder: Encoder, dir: string, options: EncoderExportOptions = {}): Promise<string[]> {
  const formats = options.formats ?? ['tfjs', 'safetensors'];
  const { federated, local } = encoder.weights();
  const all = new Map<string, tf.Tensor>([...federated, ...local]);
  const meta = { ...options.metadata, encoder: JSON.stringify(encoder.config), featureDim: String(encoder.featureDim) };
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  if (formats.includes('tfjs')) {
    const tfjsDir = join(dir, ENCODER_TFJS_DIR);
    await saveNamedTensors(tfjsDir, all, { ...options.metadata, encoder: encoder.config, featureDim: encoder.featureDim }, 'fedcl-encoder');
    files.push(join(tfjsDir, 'model.json'), join(tfjsDir, 'weights.bin'));
  }
  if (formats.includes('safetensors')) {
    const path = join(dir, ENCODER_SAFETENSORS);
    await saveSafetensors(path, all, { layout: options.layout ?? 'torch', metadata: meta });
    files.push(path);
  }
  return files;
}

/**
 * Reads an exported encoder back: from a `.safetensors` file, or a directory holding
 * `tfjs/model.json` (preferred) or `encoder.safetensors`. Returns the config and the weights in
 * tfjs layout (the caller disposes them), ready for `createEncoder(config)` + assignment by name.
 */
export async function importEncoder(path: string): Promise<{ config: EncoderConfig; weights: Map<string, tf.Tensor> }> {
  if (path.endsWith('.safetensors')) {
    const { tensors, metadata } = await loadSafetensors(path);
    if (metadata.encoder === undefined) {
      for (const t of tensors.values()) t.dispose();
      throw new EncoderImportError(`${path} has no 'encoder' metadata: it was not exported by fedcl`);
    }
    return { config: JSON.parse(metadata.encoder) as EncoderConfig, weights: tensors };
  }
  const tfjsJson = join(path, ENCODER_TFJS_DIR, 'model.json');
  if (await exists(tfjsJson)) {
    const { tensors, metadata, format } = await loadNamedTensors(join(path, ENCODER_TFJS_DIR));
    if (format !== 'fedcl-encoder' || metadata.encoder === undefined) {
      for (const t of tensors.values()) t.dispose();
      throw new EncoderImportError(`${tfjsJson} is format '${format}', not a fedcl encoder export`);
    }
    return { config: metadata.encoder as EncoderConfig, weights: tensors };
  }
  if (await exists(join(path, ENCODER_SAFETENSORS))) return importEncoder(join(path, ENCODER_SAFETENSORS));
  throw new EncoderImportError(`${path} holds neither ${ENCODER_TFJS_DIR}/model.json nor ${ENCODER_SAFETENSORS}: give the directory exportEncoder wrote`);
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}
