/**
 * FedAvg server step (McMahan et al., 2017, arXiv:1602.05629): x ← x + η·Δ, where Δ is the
 * sample-weighted mean of the site deltas; η = 1 makes x the sample-weighted mean of the site models.
 * x, out: n values; Δ: n values (float64).
 */
export function fedAvgStep(x: Float32Array, delta: Float64Array, serverLr: number, out: Float32Array): void {
  for (let i = 0; i < out.length; i++) out[i] = x[i]! + serverLr * delta[i]!;
}
