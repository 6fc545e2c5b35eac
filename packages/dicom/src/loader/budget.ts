/**
 * A byte budget: acquire() waits until the bytes fit under the cap, release() gives them
 * back. Waiters are served in order. Tracks the peak, so a test can check the cap held.
 */
export class ByteBudget {
  readonly cap: number;
  private held = 0;
  private peak = 0;
  private waiters: { bytes: number; resolve: (ok: boolean) => void }[] = [];
  private closed = false;

  constructor(cap: number) {
    if (!(cap > 0)) throw new RangeError(`byte budget must be > 0, got ${cap}`);
    this.cap = cap;
  }

  get heldBytes(): number {
    return this.held;
  }

  get peakBytes(): number {
    return this.peak;
  }

  /** Resolves true once `bytes` are held, or false if the budget was closed meanwhile. */
  acquire(bytes: number): Promise<boolean> {
    if (bytes > this.cap) throw new RangeError(`cannot hold ${bytes} bytes under a cap of ${this.cap}`);
    if (this.closed) return Promise.resolve(false);
    if (this.waiters.length === 0 && this.held + bytes <= this.cap) {
      this.take(bytes);
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.waiters.push({ bytes, resolve }));
  }

  release(bytes: number): void {
    this.held -= bytes;
    while (this.waiters.length > 0 && this.held + this.waiters[0]!.bytes <= this.cap) {
      const w = this.waiters.shift()!;
      this.take(w.bytes);
      w.resolve(true);
    }
  }

  /** Refuses every waiter and future acquire (an iteration is being abandoned). */
  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.resolve(false);
  }

  private take(bytes: number): void {
    this.held += bytes;
    this.peak = Math.max(this.peak, this.held);
  }
}
