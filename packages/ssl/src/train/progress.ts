/** What the trainer reports after every step; the CLI renders it as a progress bar. */
export interface TrainProgress {
  /** 0-based epoch. */
  epoch: number;
  epochs: number;
  /** Optimizer steps done so far in the run (1-based after the first step). */
  step: number;
  totalSteps: number;
  /** Loss of this step (including the FedProx term when it is on). */
  loss: number;
  /** Mean loss over this epoch so far. */
  epochLoss: number;
  /** Learning rate used by this step. */
  lr: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** Images per second over the steps of this run, loading included (the first step, which
   * warms caches, is left out). */
  imagesPerSec: number;
  /** Seconds left at the current speed. */
  etaSeconds: number;
}

/** Throughput and ETA from step timings. The clock is injectable for tests. */
export class ThroughputMeter {
  private images = 0;
  private seconds = 0;
  private steps = 0;
  private lastStepSeconds = 0;

  constructor(private readonly now: () => number = () => performance.now() / 1000) {}

  /** A timestamp to pass to `end` when the step is done. */
  start(): number {
    return this.now();
  }

  end(startedAt: number, images: number): void {
    const dt = this.now() - startedAt;
    this.lastStepSeconds = dt;
    this.steps++;
    if (this.steps === 1) return;
    this.images += images;
    this.seconds += dt;
  }

  get imagesPerSec(): number {
    return this.seconds > 0 ? this.images / this.seconds : 0;
  }

  /** Seconds per step (mean after the first step, the only one before that). */
  get secondsPerStep(): number {
    const counted = this.steps - 1;
    return counted > 0 ? this.seconds / counted : this.lastStepSeconds;
  }

  eta(remainingSteps: number): number {
    return remainingSteps * this.secondsPerStep;
  }
}
