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
export async function loadLabelledImages(rows: readonly LabelledFile[], size: number): Promise<ImageSet & { files: string[] }> {
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
