/** A configuration value is out of range or inconsistent; the message names the key and value. */
export class SslConfigError extends Error {
  override name = 'SslConfigError';
}

/** Weights given to `setWeights` do not match the model (missing, unknown, or wrong size). */
export class WeightMismatchError extends Error {
  override name = 'WeightMismatchError';
}
