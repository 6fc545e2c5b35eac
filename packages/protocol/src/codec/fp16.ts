const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * IEEE 754 binary32 → binary16 bits, round to nearest, ties to even. Overflow (|x| ≥ 65520)
 * gives ±Inf, NaN stays NaN (quiet, payload top bit kept), tiny values become subnormals or ±0.
 */
export function float32ToFloat16Bits(x: number): number {
  f32[0] = x;
  const bits = u32[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 | (mant >>> 13) : 0);
  // Re-bias the exponent from 127 to 15.
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half (or zero): shift the full significand (with hidden bit) right.
    if (e < -10) return sign;
    const full = mant | 0x800000;
    const shift = 14 - e;
    const half = full >>> shift;
    const rem = full & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    const up = rem > mid || (rem === mid && (half & 1) === 1) ? 1 : 0;
    return sign | (half + up);
  }
  const half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (and reaches Inf at the top).
  const up = rem > 0x1000 || (rem === 0x1000 && (half & 1) === 1) ? 1 : 0;
  return sign | (half + up);
}

/** IEEE 754 binary16 bits → number (exact). */
export function float16BitsToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Packs `src` (n) into half floats `dst` (n). */
export function encodeFloat16(src: Float32Array, dst: Uint16Array): void {
  for (let i = 0; i < src.length; i++) dst[i] = float32ToFloat16Bits(src[i]!);
}

/** Unpacks half floats `src` (n) into `dst` (n). A 64 Ki lookup table makes this one load per value. */
export function decodeFloat16(src: Uint16Array, dst: Float32Array): void {
  const table = halfTable();
  for (let i = 0; i < src.length; i++) dst[i] = table[src[i]!]!;
}

let table: Float32Array | undefined;
function halfTable(): Float32Array {
  if (!table) {
    table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) table[h] = float16BitsToFloat32(h);
  }
  return table;
}
