import { Worker } from 'node:worker_threads';
import type { RenderJob, RenderReply } from './renderWorker.js';

/**
 * The worker entry: TypeScript sources (as run by tsx, the CLI's way) need tsx's loader
 * registered inside the worker, which the parent's loader does not provide.
 */
function bootCode(): string {
  const entry = new URL(import.meta.url.endsWith('.ts') ? './renderWorker.ts' : './renderWorker.js', import.meta.url).href;
  if (!entry.endsWith('.ts')) return `import(${JSON.stringify(entry)})`;
  const tsx = import.meta.resolve('tsx/esm/api');
  return `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
}

/** A fixed set of render workers, jobs spread round-robin by least pending. */
export class RenderPool {
  private readonly workers: { worker: Worker; pending: Map<number, (r: RenderReply) => void> }[];
  private nextId = 0;

  constructor(size: number) {
    this.workers = Array.from({ length: size }, () => {
      const worker = new Worker(bootCode(), { eval: true });
      const slot = { worker, pending: new Map<number, (r: RenderReply) => void>() };
      worker.on('message', (reply: RenderReply) => {
        const done = slot.pending.get(reply.id);
        slot.pending.delete(reply.id);
        done?.(reply);
      });
      const fail = (message: string) => {
        for (const done of slot.pending.values()) done({ id: -1, error: message });
        slot.pending.clear();
      };
      worker.on('error', (err) => fail(`render worker failed: ${err.message}`));
      worker.on('exit', (code) => fail(`render worker exited with code ${code}`));
      return slot;
    });
  }

  run(job: Omit<RenderJob, 'id'>): Promise<RenderReply> {
    const slot = this.workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.nextId++;
    return new Promise((resolve) => {
      slot.pending.set(id, resolve);
      slot.worker.postMessage({ ...job, id } satisfies RenderJob);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}
