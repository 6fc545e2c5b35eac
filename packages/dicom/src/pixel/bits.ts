import type { SampleArray } from '../codecs/types.js';

/** Integer samples after masking: the narrowest typed array of the container's width and sign. */
export type IntSamples = SampleArray;

/**
 * Unpacks bit-packed 1-bit pixels (PS3.5 §8.1.1: the first pixel in the least significant bit
 * of the first byte). `bitOffset` is where the frame starts, as frames need not start on a byte.
 * @returns Uint8Array [count] of 0/1.
 */
export function unpackBits(packed: Uint8Array, bitOffset: number, count: number): Uint8Array {
  const out = new Uint8Array(count);
  let byteIndex = bitOffset >>> 3;
  let bit = bitOffset & 7;
  let byte = packed[byteIndex] ?? 0;
  for (let i = 0; i < count; i++) {
    out[i] = (byte >>> bit) & 1;
    if (++bit === 8) {
      bit = 0;
      byte = packed[++byteIndex] ?? 0;
    }
  }
  return out;
}

function containerBits(a: SampleArray): number {
  return a.BYTES_PER_ELEMENT * 8;
}

function isSignedArray(a: SampleArray): boolean {
  return a instanceof Int8Array || a instanceof Int16Array || a instanceof Int32Array;
}

function allocate(bits: number, signed: boolean, n: number): IntSamples {
  if (bits <= 8) return signed ? new Int8Array(n) : new Uint8Array(n);
  if (bits <= 16) return signed ? new Int16Array(n) : new Uint16Array(n);
  return signed ? new Int32Array(n) : new Uint32Array(n);
}

/**
 * Stored pixel values (PS3.5 §8.1.1, PS3.3 C.7.6.3.1): keeps bits highBit-bitsStored+1..highBit
 * of each sample, shifted down, and sign-extends them from bit bitsStored-1 when `signed`.
 * Returns `samples` itself, or a view of its bytes with the other sign, when there is nothing to
 * mask (the common case: no copy). The result may share memory with `samples`: do not modify it.
 * @param samples [n] raw container values, any signedness.
 * @returns [n] integers in a typed array of the container's width and the requested sign.
 */
export function storedValues(samples: SampleArray, bitsStored: number, highBit: number, signed: boolean): IntSamples {
  const width = containerBits(samples);
  if (bitsStored === width && highBit === width - 1) {
    if (isSignedArray(samples) === signed) return samples;
    // Only the sign differs: the same bytes read as the other type (no copy).
    const Type = width === 8 ? (signed ? Int8Array : Uint8Array) : width === 16 ? (signed ? Int16Array : Uint16Array) : signed ? Int32Array : Uint32Array;
    return new Type(samples.buffer as ArrayBuffer, samples.byteOffset, samples.length);
  }
  const n = samples.length;
  const out = allocate(width, signed, n);
  const shift = highBit + 1 - bitsStored;
  if (bitsStored >= 32) {
    // Full 32-bit container with a sign change only: the typed array assignment reinterprets.
    if (signed) for (let i = 0; i < n; i++) out[i] = samples[i]! | 0;
    else for (let i = 0; i < n; i++) out[i] = samples[i]! >>> 0;
    return out;
  }
  const mask = 2 ** bitsStored - 1;
  if (!signed) {
    for (let i = 0; i < n; i++) out[i] = ((samples[i]! >>> shift) & mask) >>> 0;
    return out;
  }
  // Sign extension by shifting the sign bit up to bit 31 and arithmetic-shifting back.
  const up = 32 - bitsStored;
  for (let i = 0; i < n; i++) out[i] = ((samples[i]! >>> shift) << up) >> up;
  return out;
}
