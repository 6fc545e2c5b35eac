import type { IntSamples } from './bits.js';
import { applyLut, type Lut } from './lut.js';
import { rescale } from './modalityLut.js';
import { applyRange, applyWindow, type VoiFunction } from './voiLut.js';

/** Which VOI transform applies (PS3.3 C.11.2): a LUT, a window, or the frame's own range. */
export type VoiTransform =
  | { kind: 'lut'; lut: Lut }
  | { kind: 'window'; center: number; width: number; fn: VoiFunction }
  | { kind: 'range' };

/** Everything between stored values and the [0, 1] display values of a grayscale frame. */
export interface GrayscaleTransform {
  /** Modality LUT Sequence; when absent, slope/intercept rescale. */
  modalityLut?: Lut;
  slope: number;
  intercept: number;
  voi: VoiTransform;
  /** MONOCHROME1 or Presentation LUT Shape INVERSE: y → 1 − y. */
  invert: boolean;
  /** Stored values in [lo, hi] are padding: excluded from the range, shown as 0. */
  padding?: { lo: number; hi: number };
  /** Bits and signedness of the stored values: bound their range without a pass over them. */
  bits: number;
  signed: boolean;
}

function modality(values: ArrayLike<number>, t: GrayscaleTransform): Float64Array {
  const m = new Float64Array(values.length);
  if (t.modalityLut) applyLut(values, t.modalityLut, m);
  else rescale(values, t.slope, t.intercept, m);
  return m;
}

function voi(m: Float64Array, t: GrayscaleTransform, range: { min: number; max: number }, out: Float32Array | Float64Array, file?: string): void {
  const v = t.voi;
  if (v.kind === 'lut') {
    applyLut(m, v.lut, out);
    const k = 1 / (2 ** v.lut.bits - 1);
    for (let i = 0; i < out.length; i++) out[i] = out[i]! * k;
  } else if (v.kind === 'window') {
    applyWindow(m, v.center, v.width, v.fn, out, file);
  } else {
    applyRange(m, range.min, range.max, out);
  }
}

/** One pass: range of all stored values, and of those outside [lo, hi] (non-padding). */
function stats(values: IntSamples, lo: number, hi: number): { min: number; max: number; vmin: number; vmax: number } {
  let min = Infinity;
  let max = -Infinity;
  let vmin = Infinity;
  let vmax = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    if (v >= lo && v <= hi) continue;
    if (v < vmin) vmin = v;
    if (v > vmax) vmax = v;
  }
  return { min, max, vmin, vmax };
}

/** Range of modality values of the non-padding pixels (the fallback window, see docs/dicom.md). */
function modalityRange(values: IntSamples, t: GrayscaleTransform, vmin: number, vmax: number, lo: number, hi: number): { min: number; max: number } {
  if (!(vmin <= vmax)) return { min: 0, max: 0 };
  if (!t.modalityLut) {
    // Rescale is monotonic: the extremes map to the extremes.
    const a = vmin * t.slope + t.intercept;
    const b = vmax * t.slope + t.intercept;
    return { min: Math.min(a, b), max: Math.max(a, b) };
  }
  const m = modality(values, t);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v >= lo && v <= hi) continue;
    if (m[i]! < min) min = m[i]!;
    if (m[i]! > max) max = m[i]!;
  }
  return { min, max };
}

/**
 * Stored values → display values (PS3.4 N.2.1): modality LUT, VOI, inversion, padding to 0.
 * When the stored range (of the frame, or of all values `bits` allows) is smaller than the
 * frame, the transform is evaluated once per possible stored value into a table and the frame
 * is a gather through it (the common case: 8–16-bit data); otherwise value by value in double
 * precision.
 * @param values [n] stored values (one sample per pixel). @returns Float32Array [n] in [0, 1].
 */
export function grayscaleDisplay(values: IntSamples, t: GrayscaleTransform, file?: string): Float32Array {
  const n = values.length;
  const lo = t.padding ? t.padding.lo : Infinity;
  const hi = t.padding ? t.padding.hi : -Infinity;
  // With a window or VOI LUT and few possible stored values, the table can span all of them:
  // no pass to find the frame's range.
  const span = 2 ** t.bits;
  let min: number;
  let max: number;
  let range = { min: 0, max: 0 };
  if (t.voi.kind !== 'range' && t.bits <= 16 && span * 4 <= n) {
    min = t.signed ? -span / 2 : 0;
    max = min + span - 1;
  } else {
    const s = stats(values, lo, hi);
    min = s.min;
    max = s.max;
    if (t.voi.kind === 'range') range = modalityRange(values, t, s.vmin, s.vmax, lo, hi);
  }
  const out = new Float32Array(n);
  const size = max - min + 1;
  if (size <= n) {
    const keys = new Float64Array(size);
    for (let k = 0; k < size; k++) keys[k] = min + k;
    const table = new Float64Array(size);
    voi(modality(keys, t), t, range, table, file);
    if (t.invert) for (let k = 0; k < size; k++) table[k] = 1 - table[k]!;
    for (let v = Math.max(lo, min); v <= Math.min(hi, max); v++) table[v - min] = 0;
    for (let i = 0; i < n; i++) out[i] = table[values[i]! - min]!;
    return out;
  }
  voi(modality(values, t), t, range, out, file);
  if (t.invert) for (let i = 0; i < n; i++) out[i] = 1 - out[i]!;
  if (t.padding) {
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      if (v >= lo && v <= hi) out[i] = 0;
    }
  }
  return out;
}
