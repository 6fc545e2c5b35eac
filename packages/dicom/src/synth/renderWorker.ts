/**
 * Worker-thread entry for `generateDemoData`: renders, acquires and encodes images by their
 * place in the site plan, and sends the file bytes back. Plans are rebuilt here from the same
 * seed (cheap and deterministic), so only indices cross the thread boundary.
 */
import { parentPort } from 'node:worker_threads';
import { loadPixelEncoders } from '../write/wasmEncoders.js';
import { writeDicom } from '../write/writeDicom.js';
import { type PlannedImage, planSite } from './cohort.js';
import { renderImage } from './renderImage.js';
import { siteProfile } from './siteProfiles.js';

export interface RenderJob {
  id: number;
  seed: number;
  size: number;
  siteIndex: number;
  perSite: number;
  index: number;
}

export interface RenderReply {
  id: number;
  bytes?: Uint8Array;
  label?: 0 | 1;
  anomaly?: { kind: 'nodule' | 'lesion'; u: number; v: number; radius: number };
  error?: string;
}

const plans = new Map<string, PlannedImage[]>();

/** Renders and encodes one planned image (also used in-process when there are no workers). */
export function renderJob(job: Omit<RenderJob, 'id'>): { plan: PlannedImage; bytes: Uint8Array; label: 0 | 1; anomaly?: RenderReply['anomaly'] } {
  const key = `${job.seed}/${job.siteIndex}/${job.perSite}`;
  let plan = plans.get(key);
  if (!plan) {
    plan = planSite(job.seed, job.siteIndex, siteProfile(job.siteIndex), job.perSite);
    plans.set(key, plan);
  }
  const p = plan[job.index]!;
  const img = renderImage(job.seed, p, job.size);
  return { plan: p, bytes: writeDicom(img.dataset, { transferSyntaxUID: p.transferSyntaxUID }), label: img.label, ...(img.anomaly ? { anomaly: img.anomaly } : {}) };
}

if (parentPort) {
  const port = parentPort;
  const ready = loadPixelEncoders();
  port.on('message', (job: RenderJob) => {
    void ready.then(() => {
      try {
        const r = renderJob(job);
        const reply: RenderReply = { id: job.id, bytes: r.bytes, label: r.label, ...(r.anomaly ? { anomaly: r.anomaly } : {}) };
        port.postMessage(reply, [r.bytes.buffer as ArrayBuffer]);
      } catch (err) {
        port.postMessage({ id: job.id, error: (err as Error).stack ?? String(err) } satisfies RenderReply);
      }
    });
  });
}
