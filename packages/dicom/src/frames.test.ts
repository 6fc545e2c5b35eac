import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dicomParser from 'dicom-parser';
import { encapsulatedFrame } from './frames.js';
import { isDicomError } from './errors.js';
import { decodeFrame } from './codecs/index.js';
import { readEncapsulated } from './codecs/testing/dicomFile.js';
import { referencePixelsMany, requireTool, type ReferencePixels, type ReferenceTool } from './codecs/testing/reference.js';
import { writeEncapsulated, fragmentOffsets } from './codecs/testing/writeEncapsulated.js';
import { LOSSLESS, PYDICOM, frameDiff } from './codecs/testing/compare.js';
import type { FrameInfo } from './codecs/types.js';

const INFO: FrameInfo = { rows: 2, columns: 2, samplesPerPixel: 1, bitsAllocated: 8, bitsStored: 8, highBit: 7, pixelRepresentation: 0, photometricInterpretation: 'MONOCHROME2', planarConfiguration: 0 };

/** Fragments with recognisable contents that are no codestream (so only tables can place them). */
const opaque = (seed: number, n: number) => Uint8Array.from({ length: n }, (_, i) => (seed * 31 + i * 7 + 1) & 0x7f);

function build(fragments: Uint8Array[], basicOffsetTable: number[], numberOfFrames: number, extended?: number[]) {
  const bytes = writeEncapsulated({
    transferSyntax: '1.2.840.10008.1.2.4.201', info: INFO, numberOfFrames, fragments, basicOffsetTable,
    ...(extended ? { extendedOffsetTable: { offsets: extended, lengths: extended.map(() => 0) } } : {}),
  });
  return { bytes, dataSet: dicomParser.parseDicom(bytes) };
}

const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

// Three frames in five fragments: frame 0 = fragments 0+1, frame 1 = 2, frame 2 = 3+4.
const FRAGS = [opaque(1, 10), opaque(2, 6), opaque(3, 8), opaque(4, 4), opaque(5, 12)];
const EXPECTED = [concat(FRAGS[0]!, FRAGS[1]!), FRAGS[2]!, concat(FRAGS[3]!, FRAGS[4]!)];
const OFFSETS = fragmentOffsets(FRAGS);
const STARTS = [OFFSETS[0]!, OFFSETS[2]!, OFFSETS[3]!];

test('Basic Offset Table: frames spanning several fragments are concatenated', () => {
  const { bytes, dataSet } = build(FRAGS, STARTS, 3);
  EXPECTED.forEach((e, k) => assert.deepEqual(encapsulatedFrame(bytes, dataSet, k, 3), e, `frame ${k}`));
});

test('Extended Offset Table is used when the BOT is empty', () => {
  const { bytes, dataSet } = build(FRAGS, [], 3, STARTS);
  EXPECTED.forEach((e, k) => assert.deepEqual(encapsulatedFrame(bytes, dataSet, k, 3), e, `frame ${k}`));
});

test('a wrong BOT (offset inside a fragment) with one fragment per frame falls back to the fragments', () => {
  const frags = [opaque(1, 10), opaque(2, 6), opaque(3, 8)];
  const { bytes, dataSet } = build(frags, [0, 5, 30], 3);
  frags.forEach((e, k) => assert.deepEqual(encapsulatedFrame(bytes, dataSet, k, 3), e));
});

test('a BOT with the wrong number of entries or not starting at 0 is ignored', () => {
  const frags = [opaque(1, 10), opaque(2, 6)];
  for (const bot of [[0], [4, 22], [0, 0]]) {
    const { bytes, dataSet } = build(frags, bot, 2);
    frags.forEach((e, k) => assert.deepEqual(encapsulatedFrame(bytes, dataSet, k, 2), e, `BOT ${bot}`));
  }
});

test('empty BOT, more fragments than frames: JPEG streams are split at EOI→SOI boundaries', () => {
  const jpegA = concat(Uint8Array.from([0xff, 0xd8, 1, 2]), Uint8Array.from([3, 0xff, 0xd9]));
  const jpegB = concat(Uint8Array.from([0xff, 0xd8, 9]), Uint8Array.from([0xff, 0xd8, 0xff, 0xd9]));
  // Fragment 2 starts with SOI but fragment 1 did not end with EOI: it is not a new frame.
  const frags = [Uint8Array.from([0xff, 0xd8, 1, 2]), Uint8Array.from([3, 0xff, 0xd9]), Uint8Array.from([0xff, 0xd8, 9]), Uint8Array.from([0xff, 0xd8, 0xff, 0xd9])];
  const { bytes, dataSet } = build(frags, [], 2);
  // Odd-length fragments are zero-padded to even length in the file.
  assert.deepEqual(encapsulatedFrame(bytes, dataSet, 0, 2), concat(frags[0]!, Uint8Array.from([3, 0xff, 0xd9, 0])));
  assert.deepEqual(encapsulatedFrame(bytes, dataSet, 1, 2), concat(Uint8Array.from([0xff, 0xd8, 9, 0]), frags[3]!));
  assert.equal(jpegA.length + jpegB.length, 14);
});

test('single frame: all fragments, whatever the BOT says', () => {
  const { bytes, dataSet } = build(FRAGS, [], 1);
  assert.deepEqual(encapsulatedFrame(bytes, dataSet, 0, 1), concat(...FRAGS));
});

test('errors: frame out of range, unassignable fragments, truncated file', () => {
  const { bytes, dataSet } = build(FRAGS, [], 3);
  assert.throws(() => encapsulatedFrame(bytes, dataSet, 3, 3), (e) => isDicomError(e) && e.code === 'FRAME_OUT_OF_RANGE');
  assert.throws(() => encapsulatedFrame(bytes, dataSet, -1, 3), (e) => isDicomError(e) && e.code === 'FRAME_OUT_OF_RANGE');
  assert.throws(() => encapsulatedFrame(bytes, dataSet, 0, 3), (e) => isDicomError(e) && e.code === 'CORRUPT_PIXEL_DATA' && /5 fragments/.test(e.message));
  const two = build([opaque(1, 10), opaque(2, 6)], [], 1);
  // Cut the file inside the last fragment: dicom-parser throws {exception, dataSet} with the
  // partial data set, whose last fragment keeps its declared length.
  const cut = two.bytes.subarray(0, two.bytes.length - 12);
  let ds: dicomParser.DataSet | undefined;
  try {
    dicomParser.parseDicom(cut);
  } catch (err) {
    ds = (err as { dataSet: dicomParser.DataSet }).dataSet;
  }
  assert.ok(ds, 'dicom-parser reports the truncation with a partial data set');
  assert.throws(() => encapsulatedFrame(cut, ds, 0, 1), (e) => isDicomError(e) && e.code === 'CORRUPT_PIXEL_DATA' && /truncated/.test(e.message));
});

// Layouts written by an independent encoder: DCMTK with 1 KB fragments, with and without a BOT.
let dir: string;
const made: { file: string; note: string }[] = [];
let refs: Map<string, ReferencePixels>;
before(() => {
  for (const tool of ['dcmdjpeg', 'dcmcjpeg', 'dcmcjpls', 'dcmcrle']) requireTool(tool);
  dir = mkdtempSync(join(tmpdir(), 'fedcl-frames-'));
  const native = join(dir, 'native.dcm');
  execFileSync('dcmdjpeg', [`${LOSSLESS}jpeg_lossless_sel1-8bit.dcm`, native]);
  // Each is checked against DCMTK's matching decoder (GDCM 3.0 fails on the JPEG-LS one).
  const jobs: [string, string[], string, ReferenceTool][] = [
    ['dcmcjpeg', ['+eb', '+fs', '1'], 'JPEG baseline, 12 frames, 1 KB fragments, BOT', 'dcmdjpeg'],
    ['dcmcjpeg', ['+eb', '+fs', '1', '-ot'], 'JPEG baseline, 12 frames, 1 KB fragments, empty BOT', 'dcmdjpeg'],
    ['dcmcjpls', ['+el', '+fs', '1', '-ot'], 'JPEG-LS, 12 frames, 1 KB fragments, empty BOT', 'dcmdjpls'],
    ['dcmcrle', ['+fs', '1', '-ot'], 'RLE, 12 frames, 1 KB fragments (non-standard), empty BOT', 'dcmdrle'],
  ];
  const items = jobs.map(([tool, args, note, reference], i) => {
    const file = join(dir, `made${i}.dcm`);
    execFileSync(tool, [...args, native, file], { stdio: 'ignore' });
    made.push({ file, note });
    return { path: file, tool: reference };
  });
  refs = referencePixelsMany(items);
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
});

test('DCMTK multi-fragment multi-frame files: every frame decodes to what DCMTK decodes', async () => {
  for (const { file, note } of made) {
    const f = readEncapsulated(file);
    const el = f.dataSet.elements['x7fe00010']!;
    assert.ok(el.fragments!.length > f.numberOfFrames, `${note}: several fragments per frame`);
    for (let k = 0; k < f.numberOfFrames; k++) {
      const d = await decodeFrame(f.transferSyntax, f.frames[k]!, f.info);
      const diff = frameDiff(d.pixels, refs.get(file)!, k);
      assert.ok(diff.max <= (f.transferSyntax.endsWith('.50') ? 1 : 0), `${note} frame ${k}: max |diff| ${diff.max}`);
    }
  }
});

test('rtdose_rle.dcm: 15 frames, empty BOT, one fragment each', () => {
  const f = readEncapsulated(`${PYDICOM}rtdose_rle.dcm`);
  const el = f.dataSet.elements['x7fe00010']!;
  assert.equal(el.basicOffsetTable!.length, 0);
  f.frames.forEach((frame, k) => {
    const frag = el.fragments![k]!;
    assert.deepEqual(frame, f.byteArray.subarray(frag.position, frag.position + frag.length));
  });
});
