/**
 * Failed attempts (console sign-ins; /enrol and /token refusals) per client address in a sliding window: after `maxFailures` failures within
 * `windowMs`, further attempts are refused until the oldest failure leaves the window. A success
 * clears the address's record.
 */
export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    readonly maxFailures = 5,
    readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(maxFailures) || maxFailures < 1) throw new RangeError(`maxFailures must be an integer ≥ 1, got ${maxFailures}`);
    if (!(windowMs > 0)) throw new RangeError(`windowMs must be > 0, got ${windowMs}`);
  }

  private recent(addr: string): number[] {
    const t = this.now();
    const kept = (this.failures.get(addr) ?? []).filter((at) => t - at < this.windowMs);
    if (kept.length) this.failures.set(addr, kept);
    else this.failures.delete(addr);
    return kept;
  }

  /** Milliseconds until `addr` may try again; 0 when it may try now. */
  retryAfterMs(addr: string): number {
    const r = this.recent(addr);
    return r.length < this.maxFailures ? 0 : r[0]! + this.windowMs - this.now();
  }

  fail(addr: string): void {
    this.failures.set(addr, [...this.recent(addr), this.now()]);
  }

  succeed(addr: string): void {
    this.failures.delete(addr);
  }
}
