import { readFile, rename, writeFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import { decodeSafetensors, encodeSafetensors, SafetensorsError, type SafeTensor } from './safetensors.js';

/**
 * Weight layout in an exported safetensors file.
 * - 'tfjs': as tfjs stores them (conv kernels [kh,kw,in,out], dense kernels [in,out]).
 * - 'torch': as torch.nn modules expect them (Conv2d.weight [out,in,kh,kw], Linear.weight
 *   [out,in]): rank-4 tensors are transposed HWIO→OIHW and rank-2 tensors [in,out]→[out,in].
 *   Only use it on weights where every rank-2/4 tensor is a dense/conv kernel (encoders, heads).
 */
export type WeightLayout = 'tfjs' | 'torch';

/** Converts tfjs tensors (float32, int32, bool) to safetensors entries in the chosen layout. */
export function toSafeTensors(tensors: ReadonlyMap<string, tf.Tensor>, layout: WeightLayout = 'tfjs'): Map<string, SafeTensor> {
  const out = new Map<string, SafeTensor>();
  for (const [name, t] of tensors) {
    const laid = layout === 'torch' ? toTorchLayout(t) : t;
    const shape = [...laid.shape];
    const values = laid.dataSync();
    if (laid !== t) laid.dispose();
    if (t.dtype === 'float32') out.set(name, { dtype: 'F32', shape, data: Float32Array.from(values as Float32Array) });
    else if (t.dtype === 'int32') out.set(name, { dtype: 'I32', shape, data: Int32Array.from(values as Int32Array) });
    else if (t.dtype === 'bool') out.set(name, { dtype: 'BOOL', shape, data: Uint8Array.from(values as Uint8Array) });
    else throw new SafetensorsError(`tensor '${name}': dtype ${t.dtype} cannot be exported (float32, int32, bool only)`);
  }
  return out;
}

/** Converts safetensors entries back to tfjs tensors (caller disposes), undoing the 'torch' layout. */
export function fromSafeTensors(entries: ReadonlyMap<string, SafeTensor>, layout: WeightLayout = 'tfjs'): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const [name, e] of entries) {
    let t: tf.Tensor;
    if (e.dtype === 'F32') t = tf.tensor(e.data as Float32Array, e.shape, 'float32');
    else if (e.dtype === 'I32') t = tf.tensor(e.data as Int32Array, e.shape, 'int32');
    else if (e.dtype === 'BOOL') t = tf.tensor(e.data as Uint8Array, e.shape, 'bool');
    else throw new SafetensorsError(`tensor '${name}': dtype ${e.dtype} has no tfjs equivalent; convert it to F32 or I32 first`);
    if (layout === 'torch' && (t.rank === 4 || t.rank === 2)) {
      const back = t.rank === 4 ? tf.transpose(t, [2, 3, 1, 0]) : tf.transpose(t);
      t.dispose();
      t = back;
    }
    out.set(name, t);
  }
  return out;
}

function toTorchLayout(t: tf.Tensor): tf.Tensor {
  if (t.rank === 4) return tf.transpose(t, [3, 2, 0, 1]);
  if (t.rank === 2) return tf.transpose(t);
  return t;
}

/**
 * Writes named tfjs tensors to a .safetensors file. The metadata records the layout under
 * 'layout' (and 'format': 'pt' for the torch layout, the key Hugging Face loaders look for).
 */
export async function saveSafetensors(
  path: string,
  tensors: ReadonlyMap<string, tf.Tensor>,
  options: { layout?: WeightLayout; metadata?: Record<string, string> } = {},
): Promise<void> {
  const layout = options.layout ?? 'tfjs';
  const metadata = { ...options.metadata, layout, ...(layout === 'torch' ? { format: 'pt' } : {}) };
  const bytes = encodeSafetensors(toSafeTensors(tensors, layout), metadata);
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, bytes);
  await rename(tmp, path);
}

/** Reads a .safetensors file into tfjs tensors (caller disposes), in tfjs layout. */
export async function loadSafetensors(
  path: string,
): Promise<{ tensors: Map<string, tf.Tensor>; metadata: Record<string, string> }> {
  const file = decodeSafetensors(new Uint8Array(await readFile(path)));
  const layout = file.metadata.layout === 'torch' ? 'torch' : 'tfjs';
  return { tensors: fromSafeTensors(file.tensors, layout), metadata: file.metadata };
}
