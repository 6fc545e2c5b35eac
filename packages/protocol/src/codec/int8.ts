/**
 * Symmetric per-tensor int8 quantisation: scale = max|x| / 127, q = round(x / scale) ∈ [−127, 127].
 * Dequantised values are within scale / 2 of the originals. An all-zero tensor has scale 0.
 * `src` must be finite (the weight encoder checks first).
 */
export function quantizeInt8(src: Float32Array, dst: Int8Array): number {
  let maxAbs = 0;
  for (let i = 0; i < src.length; i++) {
    const a = Math.abs(src[i]!);
    if (a > maxAbs) maxAbs = a;
  }
  const scale = maxAbs / 127;
  if (scale === 0) {
    dst.fill(0);
    return 0;
  }
  const inv = 1 / scale;
  for (let i = 0; i < src.length; i++) {
    const q = Math.round(src[i]! * inv);
    dst[i] = q > 127 ? 127 : q < -127 ? -127 : q;
  }
  return scale;
}

/** Inverse of quantizeInt8: dst[i] = src[i] · scale. */
export function dequantizeInt8(src: Int8Array, scale: number, dst: Float32Array): void {
  for (let i = 0; i < src.length; i++) dst[i] = src[i]! * scale;
}
