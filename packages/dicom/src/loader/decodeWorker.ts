/**
 * Worker-thread side of DecodePool: reads, decodes and normalises one sample per message and
 * sends the [size, size, 1] result back by transfer (no copy).
 */
import { parentPort } from 'node:worker_threads';
import { isDicomError } from '../errors.js';
import { readDicomFile } from '../parse.js';
import { frameToTensor } from '../tensor/toTensor.js';
import type { DecodeJob, DecodeReply } from './decodePool.js';

const port = parentPort;
if (!port) throw new Error('decodeWorker.ts runs only as a worker thread (see DecodePool)');

port.on('message', async (job: DecodeJob) => {
  let reply: DecodeReply;
  let stage: 'open' | 'frame' = 'open';
  try {
    const image = await readDicomFile(job.file);
    stage = 'frame';
    const data = await frameToTensor(image, job.frame, {
      size: job.size,
      normalisation: job.normalisation,
      seriesStats: job.seriesStats,
      padValue: job.padValue,
    });
    reply = { id: job.id, ok: true, data, doneAt: performance.timeOrigin + performance.now() };
    // frameToTensor's result owns its whole buffer (never a view or a SharedArrayBuffer).
    port.postMessage(reply, [data.buffer as ArrayBuffer]);
  } catch (err) {
    reply = {
      id: job.id,
      ok: false,
      code: isDicomError(err) ? err.code : 'UNEXPECTED',
      stage,
      message: err instanceof Error ? err.message : String(err),
      doneAt: performance.timeOrigin + performance.now(),
    };
    port.postMessage(reply);
  }
});
