import type { NamedTensors, TensorSpec } from '@fedcl/protocol';

/**
 * Running Σ wᵢ·xᵢ over site updates, in float64, one buffer per tensor: memory of one model
 * whatever the number of sites. `weight` = Σ wᵢ.
 */
export interface WeightedSum {
  readonly spec: readonly TensorSpec[];
  readonly sums: Map<string, Float64Array>;
  weight: number;
  count: number;
}

export function createWeightedSum(spec: readonly TensorSpec[]): WeightedSum {
  const sums = new Map<string, Float64Array>();
  for (const t of spec) sums.set(t.name, new Float64Array(t.shape.reduce((a, b) => a * b, 1)));
  return { spec, sums, weight: 0, count: 0 };
}

/**
 * Adds w·x for every tensor (x: the tensors of one update, shapes already checked against the spec).
 * `base`, when given, is subtracted first: adding full weights as deltas (x − base).
 */
export function addWeighted(sum: WeightedSum, x: NamedTensors, w: number, base?: NamedTensors): void {
  if (!(w > 0 && Number.isFinite(w))) throw new RangeError(`update weight must be a positive finite number, got ${w}`);
  for (const [name, acc] of sum.sums) {
    const v = x.get(name);
    if (!v || v.data.length !== acc.length) throw new RangeError(`tensor '${name}' is missing or has ${v?.data.length} values, expected ${acc.length}`);
    const d = v.data;
    const b = base?.get(name)?.data;
    if (b) for (let i = 0; i < acc.length; i++) acc[i]! += w * (d[i]! - b[i]!);
    else for (let i = 0; i < acc.length; i++) acc[i]! += w * d[i]!;
  }
  sum.weight += w;
  sum.count++;
}

/** Σ wᵢ·xᵢ / Σ wᵢ per tensor (float64). */
export function weightedMean(sum: WeightedSum): Map<string, Float64Array> {
  if (sum.weight <= 0) throw new RangeError('no update has been added: cannot average');
  const out = new Map<string, Float64Array>();
  for (const [name, acc] of sum.sums) {
    const m = new Float64Array(acc.length);
    for (let i = 0; i < acc.length; i++) m[i] = acc[i]! / sum.weight;
    out.set(name, m);
  }
  return out;
}
