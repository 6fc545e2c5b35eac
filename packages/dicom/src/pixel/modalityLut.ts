import type { IntSamples } from './bits.js';
import { applyLut, type Lut } from './lut.js';

/**
 * Modality LUT by Rescale Slope/Intercept (PS3.3 C.11.1): out = stored × slope + intercept,
 * computed in double precision.
 * @param stored [n]. @param out [n].
 */
export function rescale(stored: ArrayLike<number>, slope: number, intercept: number, out: Float32Array | Float64Array): void {
  const n = stored.length;
  if (slope === 1 && intercept === 0) {
    for (let i = 0; i < n; i++) out[i] = stored[i]!;
    return;
  }
  for (let i = 0; i < n; i++) out[i] = stored[i]! * slope + intercept;
}

/**
 * Grayscale modality values of a frame: the Modality LUT when given, else the rescale.
 * Frames with at least 4× more pixels than possible stored values (`bits` ≤ 16) go through
 * a table of every possible value, so the per-pixel work is one lookup.
 * @param values [n] stored values. @returns Float32Array [n].
 */
export function modalityValues(values: IntSamples, lut: Lut | undefined, slope: number, intercept: number, bits: number, signed: boolean): Float32Array {
  const n = values.length;
  const out = new Float32Array(n);
  const span = 2 ** bits;
  if (bits <= 16 && span * 4 <= n) {
    const min = signed ? -span / 2 : 0;
    const keys = new Float64Array(span);
    for (let k = 0; k < span; k++) keys[k] = min + k;
    const table = new Float32Array(span);
    if (lut) applyLut(keys, lut, table);
    else rescale(keys, slope, intercept, table);
    for (let i = 0; i < n; i++) out[i] = table[values[i]! - min]!;
    return out;
  }
  if (lut) applyLut(values, lut, out);
  else rescale(values, slope, intercept, out);
  return out;
}
