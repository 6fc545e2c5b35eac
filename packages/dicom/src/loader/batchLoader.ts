/**
 * Batched loader for training: an async iterator of Float32 [B, size, size, 1] batches over a
 * list of samples, with seeded per-epoch shuffling, prefetch of up to N batches, a hard cap
 * on the bytes it holds, and per-file quarantine instead of failure. Framework-free: the
 * trainer wraps `data` in whatever tensor type it uses.
 */
import { isDicomError } from '../errors.js';
import { readDicomFile } from '../parse.js';
import type { Normalisation, NormalisationPolicy } from '../tensor/normalise.js';
import type { RobustStats } from '../tensor/stats.js';
import { type FrameSource, frameToTensor } from '../tensor/toTensor.js';
import { ByteBudget } from './budget.js';
import { DecodeJobError, DecodePool } from './decodePool.js';
import type { QuarantineEntry, Sample, SampleIds } from './samples.js';
import { groupedPermutation, permutation } from './shuffle.js';

export interface LoaderOptions {
  batchSize: number;
  /** Side of the square images. */
  size: number;
  normalisation?: NormalisationPolicy | Normalisation;
  /** Letterbox / padding pixel value, default 0. */
  padValue?: number;
  /** Shuffle each epoch with permutation(seed, epoch); default true, seed 0. */
  shuffle?: boolean;
  /**
   * Keep the images of one study or patient next to each other in the shuffled order (groups in
   * random order, members shuffled within), so batches hold MICLe-style pairs. Samples without
   * ids form groups of one.
   */
  groupBy?: 'study' | 'patient';
  seed?: number;
  /** Batches prepared ahead of the consumer, default 2 (≥ 1). */
  prefetch?: number;
  /**
   * Cap on the bytes the loader holds, default 512 MiB: every batch buffer from allocation
   * until the consumer asks for the batch after it, plus, for the sample being decoded, its
   * file size and its float working set (4 · rows · columns · (samplesPerPixel + 2) + 4 · size²).
   * Must fit one batch plus the largest sample's working set.
   */
  maxBytes?: number;
  /** Drop a final incomplete batch, default false. */
  dropLast?: boolean;
  /** Series statistics for a sample (see seriesStats.ts); called before each sample is normalised. */
  seriesStats?: (sample: Sample) => Promise<RobustStats | undefined>;
  /** Opens a file for decoding; default readDicomFile. Not with `workers` (functions stay in this thread). */
  open?: (file: string) => Promise<FrameSource>;
  /**
   * Worker threads that decode and normalise samples, default 0 (in this thread). With
   * workers, decoding continues while this thread is busy (a training step), up to
   * 2 · workers samples in flight, within maxBytes. Call close() when done.
   */
  workers?: number;
  /** Told about every file or frame put into quarantine. */
  onQuarantine?: (entry: QuarantineEntry) => void;
}

/** What a batch slot came from. */
export interface BatchItem {
  file: string;
  frame: number;
  ids?: SampleIds;
  label?: string | number;
}

export interface Batch {
  /** [B, size, size, 1] row-major; B = items.length (the last batch may be short). */
  data: Float32Array;
  shape: [number, number, number, 1];
  items: BatchItem[];
  epoch: number;
  /** 0-based batch number within the epoch. */
  index: number;
}

const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;

/** Bytes the loader accounts for while decoding one sample. */
export function sampleWorkBytes(s: Pick<Sample, 'rows' | 'columns' | 'samplesPerPixel' | 'fileBytes'>, size: number): number {
  return s.fileBytes + 4 * s.rows * s.columns * (s.samplesPerPixel + 2) + 4 * size * size;
}

export class BatchLoader {
  readonly samples: readonly Sample[];
  /** Files and frames that failed, keyed `file` or `file#frame`; skipped in later epochs. */
  readonly quarantine = new Map<string, QuarantineEntry>();
  private readonly options: Required<Pick<LoaderOptions, 'batchSize' | 'size' | 'padValue' | 'shuffle' | 'seed' | 'prefetch' | 'maxBytes' | 'dropLast' | 'workers'>> & LoaderOptions;
  private readonly batchBytes: number;
  private last: ByteBudget | undefined;
  private pool: DecodePool | undefined;

  constructor(samples: readonly Sample[], options: LoaderOptions) {
    const o = { padValue: 0, shuffle: true, seed: 0, prefetch: 2, maxBytes: DEFAULT_MAX_BYTES, dropLast: false, workers: 0, ...options };
    if (!(Number.isInteger(o.batchSize) && o.batchSize >= 1)) throw new RangeError(`batchSize must be an integer ≥ 1, got ${o.batchSize}`);
    if (!(Number.isInteger(o.size) && o.size >= 1)) throw new RangeError(`size must be an integer ≥ 1, got ${o.size}`);
    if (!(Number.isInteger(o.prefetch) && o.prefetch >= 1)) throw new RangeError(`prefetch must be an integer ≥ 1, got ${o.prefetch}`);
    if (!(Number.isInteger(o.workers) && o.workers >= 0)) throw new RangeError(`workers must be an integer ≥ 0, got ${o.workers}`);
    if (o.workers > 0 && o.open) throw new RangeError('`open` cannot be used with `workers`: worker threads open files themselves');
    if (samples.length === 0) throw new RangeError('the loader has no samples: the index or file list is empty (or everything was filtered out)');
    this.samples = samples;
    this.options = o;
    this.batchBytes = 4 * o.batchSize * o.size * o.size;
    const largest = Math.max(...samples.map((s) => sampleWorkBytes(s, o.size)));
    if (this.batchBytes + largest > o.maxBytes) {
      throw new RangeError(
        `maxBytes ${o.maxBytes} cannot hold one batch (${this.batchBytes} bytes) plus the largest sample's working set (${largest} bytes); ` +
          `raise maxBytes to at least ${this.batchBytes + largest} or lower batchSize/size`,
      );
    }
  }

  /** Stops the decode workers, if any. The loader can still be used (workers restart). */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.close();
  }

  /** Memory of the latest epoch's iteration: bytes held now, the peak, and the cap. */
  memory(): { heldBytes: number; peakBytes: number; capBytes: number } {
    return { heldBytes: this.last?.heldBytes ?? 0, peakBytes: this.last?.peakBytes ?? 0, capBytes: this.options.maxBytes };
  }

  /**
   * The batches of one epoch. Abandoning the iteration (break) stops the background work.
   * Throws when not one sample of the epoch could be read (not when dropLast leaves no batch).
   */
  async *epoch(epoch = 0): AsyncGenerator<Batch, void, undefined> {
    const o = this.options;
    const n = this.samples.length;
    const order = !o.shuffle
      ? Uint32Array.from({ length: n }, (_, i) => i)
      : o.groupBy
        ? groupedPermutation(this.samples.map((s, i) => s.ids?.[o.groupBy!] ?? `#${i}`), o.seed, epoch)
        : permutation(n, o.seed, epoch);
    const budget = new ByteBudget(o.maxBytes);
    const slots = new ByteBudget(o.prefetch);
    this.last = budget;
    const ready: Batch[] = [];
    let finished = false;
    let loadedAny = false;
    let failure: unknown;
    let cancelled = false;
    let wake: (() => void) | undefined;
    const notify = () => {
      wake?.();
      wake = undefined;
    };

    const parallel = o.workers > 0 ? 2 * o.workers : 1;
    if (o.workers > 0) this.pool ??= new DecodePool(o.workers);
    const produce = async () => {
      let cursor = 0;
      let index = 0;
      const plane = o.size * o.size;
      while (cursor < n && !cancelled) {
        if (!(await slots.acquire(1)) || !(await budget.acquire(this.batchBytes))) return;
        const data = new Float32Array(o.batchSize * plane);
        const items: BatchItem[] = [];
        while (items.length < o.batchSize && cursor < n && !cancelled) {
          // A wave of samples decoded concurrently (one at a time in this thread), kept in order.
          const wave: Sample[] = [];
          while (wave.length < Math.min(parallel, o.batchSize - items.length) && cursor < n) {
            const sample = this.samples[order[cursor++]!]!;
            if (!this.quarantine.has(sample.file) && !this.quarantine.has(`${sample.file}#${sample.frame}`)) wave.push(sample);
          }
          const tensors = await Promise.all(wave.map((sample) => this.load(sample, budget)));
          for (const [k, sample] of wave.entries()) {
            const tensor = tensors[k];
            if (tensor === undefined) continue;
            data.set(tensor, items.length * plane);
            const item: BatchItem = { file: sample.file, frame: sample.frame };
            if (sample.ids) item.ids = sample.ids;
            if (sample.label !== undefined) item.label = sample.label;
            items.push(item);
            loadedAny = true;
          }
        }
        if (cancelled || items.length === 0 || (o.dropLast && items.length < o.batchSize)) {
          budget.release(this.batchBytes);
          slots.release(1);
          break;
        }
        ready.push({ data: items.length < o.batchSize ? data.subarray(0, items.length * plane) : data, shape: [items.length, o.size, o.size, 1], items, epoch, index: index++ });
        notify();
      }
    };
    const producer = produce()
      .catch((err: unknown) => {
        failure = err;
      })
      .finally(() => {
        finished = true;
        notify();
      });

    let yielded = 0;
    let held = false;
    try {
      for (;;) {
        if (held) {
          budget.release(this.batchBytes);
          held = false;
        }
        while (ready.length === 0 && !finished) await new Promise<void>((resolve) => (wake = resolve));
        if (failure !== undefined) throw failure;
        const batch = ready.shift();
        if (!batch) break;
        slots.release(1);
        held = true;
        yielded++;
        yield batch;
      }
      if (yielded === 0 && !loadedAny) {
        const first = [...this.quarantine.values()][0];
        throw new Error(
          `no sample of epoch ${epoch} could be read (${this.quarantine.size} file(s)/frame(s) quarantined${first ? `; first: [${first.code}] ${first.message}` : ''})`,
        );
      }
    } finally {
      cancelled = true;
      budget.close();
      slots.close();
      await producer;
      if (held) budget.release(this.batchBytes);
      budget.release(this.batchBytes * ready.splice(0).length);
    }
  }

  /** Decodes and normalises one sample, or quarantines it and returns undefined. */
  private async load(sample: Sample, budget: ByteBudget): Promise<Float32Array | undefined> {
    const o = this.options;
    const work = sampleWorkBytes(sample, o.size);
    if (!(await budget.acquire(work))) return undefined;
    let stage: 'open' | 'frame' = 'open';
    try {
      if (this.pool) {
        stage = 'frame';
        const seriesStats = await o.seriesStats?.(sample);
        try {
          return (await this.pool.run({ file: sample.file, frame: sample.frame, size: o.size, normalisation: o.normalisation, seriesStats, padValue: o.padValue })).data;
        } catch (err) {
          stage = err instanceof DecodeJobError ? err.stage : 'open';
          throw err;
        }
      }
      const src = await (o.open ?? readDicomFile)(sample.file);
      stage = 'frame';
      const seriesStats = await o.seriesStats?.(sample);
      return await frameToTensor(src, sample.frame, { size: o.size, normalisation: o.normalisation, seriesStats, padValue: o.padValue });
    } catch (err) {
      const entry: QuarantineEntry = { file: sample.file, code: isDicomError(err) || err instanceof DecodeJobError ? err.code : 'UNEXPECTED', message: err instanceof Error ? err.message : String(err) };
      if (stage === 'frame') entry.frame = sample.frame;
      this.quarantine.set(stage === 'frame' ? `${sample.file}#${sample.frame}` : sample.file, entry);
      o.onQuarantine?.(entry);
      return undefined;
    } finally {
      budget.release(work);
    }
  }
}
