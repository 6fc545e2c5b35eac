/**
 * Decimal String (DS): at most 16 characters (PS3.5 Table 6.2-1). Returns the shortest text
 * of at most 16 characters that reads back as the closest value JavaScript can express in
 * that many characters; throws for non-finite numbers, which DS cannot hold.
 */
export function formatDecimalString(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`a DS value must be finite, got ${n}`);
  const plain = String(n);
  if (plain.length <= 16) return plain;
  for (let digits = 16; digits >= 1; digits--) {
    for (const s of [trimExponent(n.toPrecision(digits)), trimExponent(n.toExponential(digits - 1))]) {
      if (s.length <= 16) return s;
    }
  }
  throw new RangeError(`cannot write ${n} as a DS of 16 characters`);
}

/** `1.50000e+5` → `1.5e+5`: trailing zeros of the mantissa cost characters and carry nothing. */
function trimExponent(s: string): string {
  const [mantissa, exponent] = s.split('e');
  const m = mantissa!.includes('.') ? mantissa!.replace(/0+$/, '').replace(/\.$/, '') : mantissa!;
  return exponent === undefined ? m : `${m}e${exponent}`;
}

/** Integer String (IS): a 32-bit signed integer as text (PS3.5 Table 6.2-1). */
export function formatIntegerString(n: number): string {
  if (!Number.isInteger(n) || n < -(2 ** 31) || n > 2 ** 31 - 1) {
    throw new RangeError(`an IS value must be an integer in [-2^31, 2^31-1], got ${n}`);
  }
  return String(n);
}
