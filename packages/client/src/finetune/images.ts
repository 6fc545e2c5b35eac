import { existsSync } from 'node:fs';
import { BatchLoader, samplesFromFiles, type QuarantineEntry } from '@fedcl/dicom';
import type { ImageSet } from '@fedcl/ssl';
import { LabelsError, type LabelledFile } from './labels.js';

function describe(q: QuarantineEntry[]): string {
  const shown = q.slice(0, 5).map((e) => `  ${e.file}${e.frame !== undefined ? ` frame ${e.frame}` : ''}: ${e.message} [${e.code}]`);
  return [...shown, ...(q.length > 5 ? [`  … and ${q.length - 5} more`] : [])].join('\n');
}

/**
 * Reads labelled DICOM files into [N, size, size, 1] images (the same normalisation as
 * pretraining; the middle frame of multi-frame files). A file that is missing or not readable
 * DICOM is an error naming it: a labelled set must be complete.
 */
export async function loadLabelledImages(rows: readonly LabelledFile[], size: number, cache?: ImageCache): Promise<ImageSet & { files: string[] }> {
  if (cache) return loadThroughCache(rows, size, cache);
  const missing = rows.filter((r) => !existsSync(r.path));
  if (missing.length > 0) throw new LabelsError(`${missing.length} labelled file(s) do not exist:\n${missing.slice(0, 5).map((r) => `  ${r.path}`).join('\n')}`);
  const { samples, quarantine } = await samplesFromFiles(rows.map((r) => r.path), { framePolicy: 'middle' });
  if (quarantine.length > 0) throw new LabelsError(`${quarantine.length} labelled file(s) are not readable DICOM images:\n${describe(quarantine)}`);
  const decodeFailures: QuarantineEntry[] = [];
  const loader = new BatchLoader(samples, { batchSize: 64, size, shuffle: false, onQuarantine: (q) => decodeFailures.push(q) });
  const images = new Float32Array(samples.length * size * size);
  let n = 0;
  for await (const batch of loader.epoch(0)) {
    images.set(batch.data, n * size * size);
    n += batch.shape[0];
  }
  if (decodeFailures.length > 0 || n !== samples.length) throw new LabelsError(`${decodeFailures.length} labelled file(s) could not be decoded:\n${describe(decodeFailures)}`);
  return { images, shape: [n, size, size, 1], files: samples.map((s) => s.file) };
}

/**
 * Decoded images by `${size}:${path}`, shared by classifiers fitted on the same files (the demo
 * fits many on one data set; decoding dominates a small linear probe).
 */
export type ImageCache = Map<string, Float32Array>;

async function loadThroughCache(rows: readonly LabelledFile[], size: number, cache: ImageCache): Promise<ImageSet & { files: string[] }> {
  const key = (path: string) => `${size}:${path}`;
  const todo = rows.filter((r) => !cache.has(key(r.path)));
  if (todo.length > 0) {
    const loaded = await loadLabelledImages(todo, size);
    // One image per file, in the order asked (a mismatch would pair images with wrong labels).
    const aligned = loaded.files.length === todo.length && loaded.files.every((f, i) => f === todo[i]!.path);
    if (!aligned) throw new LabelsError(`internal: decoded images do not line up with the ${todo.length} files asked for`);
    loaded.files.forEach((f, i) => cache.set(key(f), loaded.images.slice(i * size * size, (i + 1) * size * size)));
  }
  const images = new Float32Array(rows.length * size * size);
  rows.forEach((r, i) => images.set(cache.get(key(r.path))!, i * size * size));
  return { images, shape: [rows.length, size, size, 1], files: rows.map((r) => r.path) };
}
