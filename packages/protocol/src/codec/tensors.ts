/** One named tensor: row-major fp32 values and their shape (product of shape = data.length). */
export interface NamedTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Named tensors in a stable order (Map keeps insertion order; the codec preserves it). */
export type NamedTensors = Map<string, NamedTensor>;

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** First non-finite value, or undefined when every value is finite. */
export function findNonFinite(tensors: NamedTensors): { name: string; index: number; value: number } | undefined {
  for (const [name, t] of tensors) {
    const d = t.data;
    for (let i = 0; i < d.length; i++) {
      // x − x is 0 for finite x and NaN for ±Inf and NaN: one subtraction per value.
      if (d[i]! - d[i]! !== 0) return { name, index: i, value: d[i]! };
    }
  }
  return undefined;
}
