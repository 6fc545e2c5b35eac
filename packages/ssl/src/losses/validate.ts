import { SslConfigError } from '../methods/errors.js';

/** Smallest temperature accepted: below it logits overflow float32 exp even after max-shift in practice. */
export const MIN_TEMPERATURE = 1e-4;

/** Throws SslConfigError unless `t` is a finite temperature ≥ MIN_TEMPERATURE. */
export function checkTemperature(loss: string, t: number): number {
  if (!Number.isFinite(t) || t < MIN_TEMPERATURE) {
    throw new SslConfigError(
      `${loss}: illegal temperature ${t}; it must be a finite number ≥ ${MIN_TEMPERATURE} (paper defaults: SimCLR 0.5/0.1, MoCo v2 0.2, SupCon 0.1)`,
    );
  }
  return t;
}

/** Throws SslConfigError unless `x` is finite and within [lo, hi]. */
export function checkRange(where: string, key: string, x: number, lo: number, hi: number): number {
  if (!Number.isFinite(x) || x < lo || x > hi) {
    throw new SslConfigError(`${where}: ${key} = ${x} is out of range; expected a number in [${lo}, ${hi}]`);
  }
  return x;
}

/** Throws SslConfigError unless `x` is an integer within [lo, hi]. */
export function checkInt(where: string, key: string, x: number, lo: number, hi: number): number {
  if (!Number.isInteger(x) || x < lo || x > hi) {
    throw new SslConfigError(`${where}: ${key} = ${x} is out of range; expected an integer in [${lo}, ${hi}]`);
  }
  return x;
}
