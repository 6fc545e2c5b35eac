/**
 * FedAdam server step (Reddi et al., 2020, "Adaptive Federated Optimization", arXiv:2003.00295,
 * Algorithm 2, no bias correction):
 *   m ← β₁·m + (1−β₁)·Δ;  v ← β₂·v + (1−β₂)·Δ²;  x ← x + η·m / (√v + τ)
 * `m` starts at 0 and `v` at τ² (the paper's v₋₁ ≥ τ²); both (n values) are updated in place.
 */
export function fedAdamStep(
  x: Float32Array,
  delta: Float64Array,
  m: Float32Array,
  v: Float32Array,
  o: { serverLr: number; beta1: number; beta2: number; tau: number },
  out: Float32Array,
): void {
  const { serverLr, beta1, beta2, tau } = o;
  for (let i = 0; i < out.length; i++) {
    const g = delta[i]!;
    const mi = beta1 * m[i]! + (1 - beta1) * g;
    const vi = beta2 * v[i]! + (1 - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    out[i] = x[i]! + (serverLr * mi) / (Math.sqrt(vi) + tau);
  }
}
