/**
 * Pixel padding (PS3.3 C.7.5.1.1.2): stored values equal to Pixel Padding Value, or within the
 * range it forms with Pixel Padding Range Limit (either may be the larger), are not part of the
 * image. Both are in the stored value domain, signed when Pixel Representation is 1.
 * @param stored [n] stored values (one sample per pixel).
 * @returns Uint8Array [n], 1 where the pixel is padding.
 */
export function paddingMask(stored: ArrayLike<number>, paddingValue: number, rangeLimit?: number): Uint8Array {
  const lo = rangeLimit === undefined ? paddingValue : Math.min(paddingValue, rangeLimit);
  const hi = rangeLimit === undefined ? paddingValue : Math.max(paddingValue, rangeLimit);
  const n = stored.length;
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = stored[i]!;
    mask[i] = v >= lo && v <= hi ? 1 : 0;
  }
  return mask;
}
