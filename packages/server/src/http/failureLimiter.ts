import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Store } from '../store/store.js';

/**
 * Failed attempts per client address in a sliding window (console sign-ins; refused /enrol and
 * /token requests): after `maxFailures` failures within `windowMs`, further attempts are refused
 * until the oldest failure leaves the window. A success clears the address's record.
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

/**
 * When the request's address is limited: audits the refusal and answers 429 with Retry-After and
 * `{code, message}`; returns whether it did (the caller then returns `reply`).
 */
export function refuseWhenLimited(
  limiter: FailureLimiter,
  req: FastifyRequest,
  reply: FastifyReply,
  store: Store,
  o: { action: string; code: string; message: (seconds: number) => string },
): boolean {
  const wait = limiter.retryAfterMs(req.ip);
  if (wait <= 0) return false;
  const seconds = Math.ceil(wait / 1000);
  store.audit({ actor: `ip:${req.ip}`, action: o.action, outcome: 'refused', code: o.code, detail: { retryAfterSeconds: seconds } });
  void reply.status(429).header('retry-after', String(seconds)).send({ code: o.code, message: o.message(seconds) });
  return true;
}
