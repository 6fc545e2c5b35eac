/**
 * FedAvgM server step (Hsu et al., 2019, arXiv:1909.06335; Reddi et al., 2020, arXiv:2003.00295):
 * m ← β·m + Δ;  x ← x + η·m.  `m` (n values) is updated in place (start from zeros).
 */
export function fedAvgMStep(x: Float32Array, delta: Float64Array, m: Float32Array, o: { serverLr: number; momentum: number }, out: Float32Array): void {
  for (let i = 0; i < out.length; i++) {
    m[i] = o.momentum * m[i]! + delta[i]!;
    out[i] = x[i]! + o.serverLr * m[i]!;
  }
}
