/**
 * Learning-rate schedule: linear warmup then cosine decay (SGDR without restarts,
 * Loshchilov & Hutter 2017, arXiv:1608.03983; as used by SimCLR arXiv:2002.05709 and BYOL).
 */
export interface WarmupCosineConfig {
  /** Peak learning rate, reached at the end of warmup. */
  baseLr: number;
  /** Steps of linear warmup (0 = none). Step s < warmupSteps uses baseLr·(s+1)/warmupSteps. */
  warmupSteps: number;
  /** Total optimizer steps of the run; the cosine reaches `minLr` at this step. */
  totalSteps: number;
  /** Floor of the cosine (default 0). */
  minLr?: number;
}

export class ScheduleConfigError extends Error {
  override name = 'ScheduleConfigError';
}

/** Checks a schedule configuration once, naming the bad field. */
export function validateWarmupCosine(c: WarmupCosineConfig): void {
  const minLr = c.minLr ?? 0;
  if (!(c.baseLr > 0) || !Number.isFinite(c.baseLr)) {
    throw new ScheduleConfigError(`baseLr must be a positive finite number, got ${c.baseLr}`);
  }
  if (!Number.isInteger(c.totalSteps) || c.totalSteps < 1) {
    throw new ScheduleConfigError(`totalSteps must be an integer ≥ 1, got ${c.totalSteps}`);
  }
  if (!Number.isInteger(c.warmupSteps) || c.warmupSteps < 0 || c.warmupSteps > c.totalSteps) {
    throw new ScheduleConfigError(
      `warmupSteps must be an integer in [0, totalSteps=${c.totalSteps}], got ${c.warmupSteps}`,
    );
  }
  if (!(minLr >= 0) || minLr > c.baseLr) {
    throw new ScheduleConfigError(`minLr must be in [0, baseLr=${c.baseLr}], got ${minLr}`);
  }
}

/**
 * Learning rate for 0-based optimizer step `step`.
 * Warmup starts at baseLr/warmupSteps (not 0: a zero-lr step is wasted work); the cosine then
 * runs over the remaining steps, lr = minLr + (baseLr − minLr)·½(1 + cos(π·p)),
 * p = (step − warmupSteps)/(totalSteps − warmupSteps). Steps past the end stay at minLr.
 */
export function warmupCosineLr(step: number, c: WarmupCosineConfig): number {
  const minLr = c.minLr ?? 0;
  if (step < c.warmupSteps) return (c.baseLr * (step + 1)) / c.warmupSteps;
  const decaySteps = c.totalSteps - c.warmupSteps;
  if (decaySteps <= 0) return c.baseLr;
  const p = Math.min(1, (step - c.warmupSteps) / decaySteps);
  return minLr + (c.baseLr - minLr) * 0.5 * (1 + Math.cos(Math.PI * p));
}
