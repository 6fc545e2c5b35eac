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
 * (A table of every possible stored value does not pay here: one multiply-add per pixel is
 * cheaper than a gather, measured on 512² CT.)
 * @param values [n] stored values. @returns Float32Array [n].
 */
export function modalityValues(values: IntSamples, lut: Lut | undefined, slope: number, intercept: number): Float32Array {
  const out = new Float32Array(values.length);
  if (lut) applyLut(values, lut, out);
  else rescale(values, slope, intercept, out);
  return out;
}
