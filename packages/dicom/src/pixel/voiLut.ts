import { DicomError } from '../errors.js';

/** VOI LUT Function (0028,1056), PS3.3 C.11.2.1.3. */
export type VoiFunction = 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';

export function voiFunction(value: string | undefined, file?: string): VoiFunction {
  const v = (value ?? 'LINEAR').toUpperCase();
  if (v === 'LINEAR' || v === 'LINEAR_EXACT' || v === 'SIGMOID') return v;
  throw new DicomError('INVALID_ATTRIBUTE', `VOI LUT Function '${value}' is not LINEAR, LINEAR_EXACT or SIGMOID`, { file });
}

/**
 * Window centre/width to [0, 1] (PS3.3 C.11.2.1.2.1 and C.11.2.1.3, with y_min = 0, y_max = 1):
 *   LINEAR:       x ≤ c − 0.5 − (w−1)/2 → 0;  x > c − 0.5 + (w−1)/2 → 1;  else (x − (c − 0.5))/(w − 1) + 0.5
 *   LINEAR_EXACT: x ≤ c − w/2 → 0;  x > c + w/2 → 1;  else (x − c)/w + 0.5
 *   SIGMOID:      1 / (1 + exp(−4 (x − c)/w))
 * @param values [n] modality values. @param out [n].
 */
export function applyWindow(
  values: ArrayLike<number>,
  center: number,
  width: number,
  fn: VoiFunction,
  out: Float32Array | Float64Array,
  file?: string,
): void {
  const n = values.length;
  if (fn === 'SIGMOID') {
    if (!(width > 0)) throw new DicomError('INVALID_ATTRIBUTE', `Window Width ${width} must be > 0 for SIGMOID; pick another window with voiIndex`, { file });
    const k = -4 / width;
    for (let i = 0; i < n; i++) out[i] = 1 / (1 + Math.exp(k * (values[i]! - center)));
    return;
  }
  let c = center;
  let w = width;
  if (fn === 'LINEAR') {
    if (!(width >= 1)) throw new DicomError('INVALID_ATTRIBUTE', `Window Width ${width} must be ≥ 1 for LINEAR; pick another window with voiIndex`, { file });
    c -= 0.5;
    w -= 1;
  } else if (!(width > 0)) {
    throw new DicomError('INVALID_ATTRIBUTE', `Window Width ${width} must be > 0 for LINEAR_EXACT; pick another window with voiIndex`, { file });
  }
  const lo = c - w / 2;
  const hi = c + w / 2;
  for (let i = 0; i < n; i++) {
    const x = values[i]!;
    out[i] = x <= lo ? 0 : x > hi ? 1 : (x - c) / w + 0.5;
  }
}

/**
 * Linear scaling of [min, max] to [0, 1], used when an image has no window and no VOI LUT:
 * out = (x − min)/(max − min), or 0 everywhere when max = min.
 * @param values [n]. @param out [n].
 */
export function applyRange(values: ArrayLike<number>, min: number, max: number, out: Float32Array | Float64Array): void {
  const n = values.length;
  const span = max - min;
  if (!(span > 0)) {
    out.fill(0);
    return;
  }
  const k = 1 / span;
  for (let i = 0; i < n; i++) out[i] = (values[i]! - min) * k;
}
