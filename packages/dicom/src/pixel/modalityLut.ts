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
