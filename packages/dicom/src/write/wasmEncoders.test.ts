import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dataSet } from './element.js';
import { WRITABLE_TRANSFER_SYNTAXES as TS } from './transferSyntax.js';
import { loadPixelEncoders } from './wasmEncoders.js';
import { writeDicom } from './writeDicom.js';

const ds = dataSet({
  SOPClassUID: '1.2.840.10008.5.1.4.1.1.7', SOPInstanceUID: '1.2.3', SamplesPerPixel: 1, PhotometricInterpretation: 'MONOCHROME2',
  Rows: 2, Columns: 2, BitsAllocated: 16, BitsStored: 12, HighBit: 11, PixelRepresentation: 0, PixelData: Uint16Array.of(1, 2, 3, 4),
});

test('JPEG-LS / JPEG 2000 before loadPixelEncoders() fail with ENCODER_NOT_LOADED, then work after it', async () => {
  for (const ts of [TS.jpegLsLossless, TS.jpeg2000Lossless]) {
    assert.throws(() => writeDicom(ds, { transferSyntaxUID: ts }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'ENCODER_NOT_LOADED', e.message);
      assert.match(e.message, /await loadPixelEncoders\(\)/);
      return true;
    });
  }
  await loadPixelEncoders();
  // A JPEG-LS stream starts with SOI (FFD8) then SOF55 (FFF7); a J2K codestream with SOC (FF4F) then SIZ (FF51).
  const jls = Buffer.from(writeDicom(ds, { transferSyntaxUID: TS.jpegLsLossless }));
  assert.ok(jls.indexOf(Buffer.from([0xff, 0xd8, 0xff, 0xf7])) > 0, 'JPEG-LS stream in the file');
  const j2k = Buffer.from(writeDicom(ds, { transferSyntaxUID: TS.jpeg2000Lossless }));
  assert.ok(j2k.indexOf(Buffer.from([0xff, 0x4f, 0xff, 0x51])) > 0, 'J2K codestream in the file');
});
