/**
 * HTJ2K (.201, .202, .203). No real HTJ2K DICOM file ships with our test data, so the test makes
 * them: real images (pydicom's CT_small and SC_rgb, 3 frames of a real multi-frame MR) are encoded
 * with OpenJPH's own encoder (in @cornerstonejs/codec-openjph) and wrapped into DICOM files with the
 * HTJ2K transfer syntax UIDs. Lossless: decoded values equal the original pixels exactly and
 * OpenJPEG's opj_decompress (2.5, an independent HT block decoder) exactly. Lossy (.203):
 * opj_decompress within ±1 (irreversible wavelet rounding may differ), original within the
 * quantisation error bound stated below.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeFrame } from './index.js';
import { openjphModule } from './openjph.js';
import { readEncapsulated } from './testing/dicomFile.js';
import { opjDecompress, pydicomPixelsMany, referencePixels, type ReferencePixels } from './testing/reference.js';
import { writeEncapsulated, fragmentOffsets } from './testing/writeEncapsulated.js';
import { LOSSLESS, PYDICOM, frameDiff } from './testing/compare.js';
import type { FrameInfo } from './types.js';

let dir: string;
let ct: ReferencePixels;
let rgb: ReferencePixels;
let mr: ReferencePixels;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'fedcl-htj2k-'));
  [ct] = pydicomPixelsMany([`${PYDICOM}CT_small.dcm`]);
  rgb = referencePixels(`${PYDICOM}SC_rgb_rle.dcm`, 'dcmdrle');
  mr = referencePixels(`${LOSSLESS}jpeg_lossless_sel1-8bit.dcm`, 'dcmdjpeg');
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
});

/** Encodes frame `frame` of `ref` with OpenJPH. Samples: 8-bit unsigned or 16-bit signed/unsigned. */
async function encodeHtj2k(ref: ReferencePixels, frame: number, opts: { signed: boolean; bits: number; lossless: boolean; step?: number; colorTransform?: boolean }): Promise<Uint8Array> {
  const m = await openjphModule();
  const encoder = new m.HTJ2KEncoder();
  try {
    const n = ref.rows * ref.columns * ref.samples;
    const values = ref.values.subarray(frame * n, (frame + 1) * n);
    const input = encoder.getDecodedBuffer({
      width: ref.columns, height: ref.rows, bitsPerSample: opts.bits, componentCount: ref.samples, isSigned: opts.signed, isUsingColorTransform: opts.colorTransform ?? false,
    });
    if (opts.bits <= 8) input.set(Uint8Array.from(values));
    else new (opts.signed ? Int16Array : Uint16Array)(input.buffer as ArrayBuffer, input.byteOffset, n).set(Array.from(values));
    encoder.setQuality(opts.lossless, opts.step ?? 0);
    encoder.encode();
    return encoder.getEncodedBuffer().slice();
  } finally {
    encoder.delete();
  }
}

function info(ref: ReferencePixels, bits: number, signed: boolean, photometric: string): FrameInfo {
  return {
    rows: ref.rows, columns: ref.columns, samplesPerPixel: ref.samples, bitsAllocated: bits <= 8 ? 8 : 16, bitsStored: bits, highBit: bits - 1,
    pixelRepresentation: signed ? 1 : 0, photometricInterpretation: photometric, planarConfiguration: 0,
  };
}

function save(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

test('HTJ2K lossless (.201), CT 16-bit signed: equals the original pixels and opj_decompress exactly', async () => {
  const stream = await encodeHtj2k(ct, 0, { signed: true, bits: 16, lossless: true });
  const path = save('ct.dcm', writeEncapsulated({ transferSyntax: '1.2.840.10008.1.2.4.201', info: info(ct, 16, true, 'MONOCHROME2'), numberOfFrames: 1, fragments: [stream], basicOffsetTable: [0] }));
  const f = readEncapsulated(path);
  const d = await decodeFrame(f.transferSyntax, f.frames[0]!, f.info);
  assert.equal(d.signed, true);
  assert.equal(d.bitsPerSample, 16);
  assert.deepEqual(frameDiff(d.pixels, ct, 0), { max: 0, count: 0 });
  const opj = opjDecompress(stream, 1);
  assert.deepEqual(frameDiff(d.pixels, { ...ct, values: opj.values }, 0), { max: 0, count: 0 });
});

test('HTJ2K lossless with RPCL UID (.202), RGB 8-bit with the reversible colour transform: YBR_RCT comes back as RGB, exactly', async () => {
  const stream = await encodeHtj2k(rgb, 0, { signed: false, bits: 8, lossless: true, colorTransform: true });
  const path = save('rgb.dcm', writeEncapsulated({ transferSyntax: '1.2.840.10008.1.2.4.202', info: info(rgb, 8, false, 'YBR_RCT'), numberOfFrames: 1, fragments: [stream], basicOffsetTable: [] }));
  const f = readEncapsulated(path);
  const d = await decodeFrame(f.transferSyntax, f.frames[0]!, f.info);
  assert.equal(d.photometricInterpretation, 'RGB');
  assert.equal(d.planarConfiguration, 0);
  assert.deepEqual(frameDiff(d.pixels, rgb, 0), { max: 0, count: 0 });
  const opj = opjDecompress(stream, 3);
  assert.deepEqual(frameDiff(d.pixels, { ...rgb, values: opj.values }, 0), { max: 0, count: 0 });
});

test('HTJ2K multi-frame (3 real MR frames), empty BOT, frame 1 split over 3 fragments: every frame exact', async () => {
  const streams = await Promise.all([0, 1, 2].map((k) => encodeHtj2k(mr, k, { signed: false, bits: 8, lossless: true })));
  const s1 = streams[1]!;
  const cut = [0, Math.floor(s1.length / 3) & ~1, Math.floor((2 * s1.length) / 3) & ~1, s1.length];
  const pieces = [0, 1, 2].map((i) => s1.subarray(cut[i]!, cut[i + 1]!));
  const fragments = [streams[0]!, ...pieces, streams[2]!];
  const frameInfo = info(mr, 8, false, 'MONOCHROME2');
  const path = save('mr3.dcm', writeEncapsulated({ transferSyntax: '1.2.840.10008.1.2.4.201', info: frameInfo, numberOfFrames: 3, fragments, basicOffsetTable: [] }));
  const f = readEncapsulated(path);
  assert.equal(f.dataSet.elements['x7fe00010']!.fragments!.length, 5);
  for (let k = 0; k < 3; k++) {
    assert.equal(f.frames[k]!.length, streams[k]!.length + (streams[k]!.length % 2), `frame ${k} length`);
    const d = await decodeFrame(f.transferSyntax, f.frames[k]!, f.info);
    assert.deepEqual(frameDiff(d.pixels, mr, k), { max: 0, count: 0 }, `frame ${k}`);
  }
  // The same frames located through an Extended Offset Table instead (one fragment per frame).
  const eotPath = save('mr3eot.dcm', writeEncapsulated({
    transferSyntax: '1.2.840.10008.1.2.4.201', info: frameInfo, numberOfFrames: 3, fragments: streams, basicOffsetTable: [],
    extendedOffsetTable: { offsets: fragmentOffsets(streams), lengths: streams.map((s) => s.length) },
  }));
  const e = readEncapsulated(eotPath);
  const d2 = await decodeFrame(e.transferSyntax, e.frames[2]!, e.info);
  assert.deepEqual(frameDiff(d2.pixels, mr, 2), { max: 0, count: 0 });
});

test('HTJ2K lossy (.203), CT 16-bit signed: opj_decompress within ±1, original within the quantisation bound', async () => {
  const stream = await encodeHtj2k(ct, 0, { signed: true, bits: 16, lossless: false, step: 0.0005 });
  const path = save('ctlossy.dcm', writeEncapsulated({ transferSyntax: '1.2.840.10008.1.2.4.203', info: info(ct, 16, true, 'MONOCHROME2'), numberOfFrames: 1, fragments: [stream], basicOffsetTable: [0] }));
  const f = readEncapsulated(path);
  const d = await decodeFrame(f.transferSyntax, f.frames[0]!, f.info);
  const opj = opjDecompress(stream, 1);
  const vsOpj = frameDiff(d.pixels, { ...ct, values: opj.values }, 0);
  assert.ok(vsOpj.max <= 1, `vs opj_decompress: max |diff| ${vsOpj.max}`);
  const vsOriginal = frameDiff(d.pixels, ct, 0);
  assert.ok(vsOriginal.count > 0, 'lossy coding changed some samples');
  // Step 0.0005 of the 16-bit range ≈ 33 grey levels per quantisation step.
  assert.ok(vsOriginal.max <= 200, `max |diff| to the original ${vsOriginal.max}`);
});

test('a JPEG 2000 Part 1 codestream under an HTJ2K UID (which OpenJPH cannot read) decodes through OpenJPEG, equal to opj_decompress', async () => {
  const f = readEncapsulated(`${PYDICOM}MR_small_jp2klossless.dcm`);
  const stream = f.frames[0]!;
  const d = await decodeFrame('1.2.840.10008.1.2.4.201', stream, f.info);
  const opj = opjDecompress(stream, 1);
  assert.equal(d.signed, opj.signed);
  const ref = { frames: 1, rows: f.info.rows, columns: f.info.columns, samples: 1, photometric: '', values: opj.values };
  assert.deepEqual(frameDiff(d.pixels, ref, 0), { max: 0, count: 0 });
});
