/**
 * A pool of worker threads that turn samples into normalised tensors, so decoding runs on
 * other cores while the main thread trains (a TensorFlow.js step blocks its thread, which
 * in-process prefetch cannot overlap). Workers are created on first use, kept referenced only
 * while they have work (an idle pool never keeps the process alive), and replaced if they die.
 */
import { Worker } from 'node:worker_threads';
import type { DicomErrorCode } from '../errors.js';
import type { Normalisation, NormalisationPolicy } from '../tensor/normalise.js';
import type { RobustStats } from '../tensor/stats.js';

/** One sample to decode, as sent to a worker (plain data only). */
export interface DecodeJob {
  id: number;
  file: string;
  frame: number;
  size: number;
  normalisation?: NormalisationPolicy | Normalisation | undefined;
  seriesStats?: RobustStats | undefined;
  padValue: number;
}

export type DecodeReply =
  | { id: number; ok: true; data: Float32Array; doneAt: number }
  | { id: number; ok: false; code: DicomErrorCode | 'UNEXPECTED'; stage: 'open' | 'frame'; message: string; doneAt: number };

/** A failure reported by a worker: the DicomError code (or UNEXPECTED) and whether opening the file or decoding the frame failed. */
export class DecodeJobError extends Error {
  override readonly name = 'DecodeJobError';
  readonly code: DicomErrorCode | 'UNEXPECTED';
  readonly stage: 'open' | 'frame';

  constructor(code: DicomErrorCode | 'UNEXPECTED', stage: 'open' | 'frame', message: string) {
    super(message);
    this.code = code;
    this.stage = stage;
  }
}

export interface DecodeResult {
  /** [size, size, 1] row-major. */
  data: Float32Array;
  /** When the worker finished (ms since the epoch, performance.timeOrigin based). */
  doneAt: number;
}

interface Pending {
  resolve: (r: DecodeResult) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

/**
 * The worker entry: TypeScript sources (as run by tsx, the CLI's way) need tsx's loader
 * registered inside the worker, which an `--import tsx` of the parent does not provide.
 */
function bootCode(): string {
  const entry = new URL(import.meta.url.endsWith('.ts') ? './decodeWorker.ts' : './decodeWorker.js', import.meta.url).href;
  if (!entry.endsWith('.ts')) return `import(${JSON.stringify(entry)})`;
  const tsx = import.meta.resolve('tsx/esm/api');
  return `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
}

export class DecodePool {
  readonly size: number;
  private readonly slots: (Slot | undefined)[];
  private nextId = 0;
  private closed = false;

  constructor(size: number) {
    if (!(Number.isInteger(size) && size >= 1)) throw new RangeError(`worker count must be an integer ≥ 1, got ${size}`);
    this.size = size;
    this.slots = Array.from({ length: size }, () => undefined);
  }

  /** Decodes one sample on the least busy worker. Rejects with a DecodeJobError carrying the worker's code and stage. */
  run(job: Omit<DecodeJob, 'id'>): Promise<DecodeResult> {
    if (this.closed) return Promise.reject(new Error('the decode pool is closed'));
    let best = 0;
    for (let i = 1; i < this.size; i++) {
      if ((this.slots[i]?.pending.size ?? 0) < (this.slots[best]?.pending.size ?? 0)) best = i;
    }
    const slot = (this.slots[best] ??= this.spawn(best));
    const id = this.nextId++;
    return new Promise<DecodeResult>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.ref();
      slot.worker.postMessage({ ...job, id } satisfies DecodeJob);
    });
  }

  /** Stops every worker; pending jobs are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      this.slots.map(async (slot, i) => {
        if (!slot) return;
        this.slots[i] = undefined;
        this.fail(slot, new Error('the decode pool was closed'));
        await slot.worker.terminate();
      }),
    );
  }

  private spawn(index: number): Slot {
    const worker = new Worker(bootCode(), { eval: true });
    const slot: Slot = { worker, pending: new Map() };
    worker.unref();
    worker.on('message', (reply: DecodeReply) => {
      const p = slot.pending.get(reply.id);
      if (!p) return;
      slot.pending.delete(reply.id);
      if (slot.pending.size === 0) worker.unref();
      if (reply.ok) p.resolve({ data: reply.data, doneAt: reply.doneAt });
      else p.reject(new DecodeJobError(reply.code, reply.stage, reply.message));
    });
    const died = (err: Error) => {
      if (this.slots[index] === slot) this.slots[index] = undefined;
      this.fail(slot, err);
    };
    worker.on('error', (err) => died(new Error(`decode worker failed: ${err.message}`)));
    worker.on('exit', (code) => died(new Error(`decode worker exited with code ${code}`)));
    return slot;
  }

  private fail(slot: Slot, err: Error): void {
    for (const p of slot.pending.values()) p.reject(err);
    slot.pending.clear();
    slot.worker.unref();
  }
}
