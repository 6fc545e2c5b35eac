import type { SampleArray } from '../codecs/types.js';

/**
 * Planar (R…R G…G B…B, PlanarConfiguration 1) to interleaved (R G B R G B …) samples.
 * @param src [samplesPerPixel*pixels]. @returns a new array of the same type and length.
 */
export function planarToInterleaved<T extends SampleArray>(src: T, samplesPerPixel: number): T {
  const pixels = src.length / samplesPerPixel;
  const out = new (src.constructor as new (n: number) => T)(src.length);
  for (let s = 0; s < samplesPerPixel; s++) {
    const base = s * pixels;
    for (let p = 0, d = s; p < pixels; p++, d += samplesPerPixel) out[d] = src[base + p]!;
  }
  return out;
}

// ITU-R BT.601 full range, as PS3.3 C.7.6.3.1.2 gives it (inverse of the RGB→YBR_FULL equations).
// Coefficients in float32, as pydicom and libjpeg use them, so results round the same way.
const CR_R = Math.fround(1.402);
const CB_G = Math.fround((-0.114 * 1.772) / 0.587);
const CR_G = Math.fround((-0.299 * 1.402) / 0.587);
const CB_B = Math.fround(1.772);

/**
 * YBR_FULL to RGB: R = Y + 1.402 (Cr − h), G = Y − 0.3441 (Cb − h) − 0.7141 (Cr − h),
 * B = Y + 1.772 (Cb − h), h = 2^(bits−1); rounded half up and clipped to [0, 2^bits − 1].
 * @param src [pixels*3] interleaved Y Cb Cr. @param out [pixels*3] interleaved R G B.
 */
export function ybrFullToRgb(src: ArrayLike<number>, bits: number, out: Float32Array): void {
  const half = 2 ** (bits - 1);
  const max = 2 ** bits - 1;
  const n = src.length;
  for (let i = 0; i < n; i += 3) {
    const y = src[i]!;
    const cb = src[i + 1]! - half;
    const cr = src[i + 2]! - half;
    const r = Math.floor(y + CR_R * cr + 0.5);
    const g = Math.floor(y + CB_G * cb + CR_G * cr + 0.5);
    const b = Math.floor(y + CB_B * cb + 0.5);
    out[i] = r < 0 ? 0 : r > max ? max : r;
    out[i + 1] = g < 0 ? 0 : g > max ? max : g;
    out[i + 2] = b < 0 ? 0 : b > max ? max : b;
  }
}
