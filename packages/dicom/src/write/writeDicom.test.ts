import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataSet, element, type ElementList } from './element.js';
import { DicomWriteError } from './errors.js';
import { WRITABLE_TRANSFER_SYNTAXES as TS } from './transferSyntax.js';
import { uidFromName } from './uid.js';
import { loadPixelEncoders } from './wasmEncoders.js';
import { writeDicom } from './writeDicom.js';
import { dcmdumpErrors, decompress, pydicomPixels, pydicomRead } from './testing/referenceTools.js';

let dir: string;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fedcl-write-'));
  await loadPixelEncoders();
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Deterministic pixel test pattern with smooth areas (long runs) and noise (literals), full stored range. */
function pattern(n: number, bitsStored: number, signed: boolean, salt: number): number[] {
  const out: number[] = [];
  let s = 12345 + salt;
  const span = 2 ** bitsStored;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const smooth = Math.floor(i / 7) % 5 === 0;
    const u = smooth ? (i * 31) % span : s % span;
    out.push(signed ? u - span / 2 : u);
  }
  out[0] = signed ? -span / 2 : 0;
  out[1] = signed ? span / 2 - 1 : span - 1;
  return out;
}

interface Case {
  name: string;
  rows: number;
  columns: number;
  frames: number;
  bitsAllocated: 8 | 16;
  bitsStored: number;
  signed: boolean;
}

const CASES: Case[] = [
  { name: 'u12', rows: 37, columns: 41, frames: 1, bitsAllocated: 16, bitsStored: 12, signed: false },
  { name: 'u16', rows: 32, columns: 30, frames: 1, bitsAllocated: 16, bitsStored: 16, signed: false },
  { name: 's16', rows: 33, columns: 20, frames: 1, bitsAllocated: 16, bitsStored: 16, signed: true },
  { name: 's10', rows: 16, columns: 17, frames: 1, bitsAllocated: 16, bitsStored: 10, signed: true },
  { name: 'u8x3frames', rows: 15, columns: 13, frames: 3, bitsAllocated: 8, bitsStored: 8, signed: false },
  { name: 'u14x2frames', rows: 24, columns: 21, frames: 2, bitsAllocated: 16, bitsStored: 14, signed: false },
];

function samples(c: Case): Uint8Array | Uint16Array | Int16Array {
  const values = pattern(c.rows * c.columns * c.frames, c.bitsStored, c.signed, c.rows);
  if (c.bitsAllocated === 8) return Uint8Array.from(values);
  return c.signed ? Int16Array.from(values) : Uint16Array.from(values);
}

function imageDataSet(c: Case, ts: string, pixels: Uint8Array | Uint16Array | Int16Array): ElementList {
  return dataSet({
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.7',
    SOPInstanceUID: uidFromName(`writer test ${c.name} ${ts}`),
    StudyInstanceUID: uidFromName(`writer test study ${c.name}`),
    SeriesInstanceUID: uidFromName(`writer test series ${c.name}`),
    PatientName: 'DEMO^WRITER^TEST',
    PatientID: 'P1X',
    Modality: 'OT',
    ImageType: ['DERIVED', 'SECONDARY'],
    StudyDate: '20240229',
    StudyTime: '101502.25',
    WindowCenter: [100.5, -3],
    WindowWidth: 1 / 3,
    RescaleSlope: 1,
    RescaleIntercept: 0,
    ImageComments: 'odd length',
    AnatomicRegionSequence: [[element('CodeValue', '43799004'), element('CodingSchemeDesignator', 'SCT'), element('CodeMeaning', 'Chest')]],
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: c.rows,
    Columns: c.columns,
    NumberOfFrames: c.frames > 1 ? c.frames : undefined,
    BitsAllocated: c.bitsAllocated,
    BitsStored: c.bitsStored,
    HighBit: c.bitsStored - 1,
    PixelRepresentation: c.signed ? 1 : 0,
    PixelData: pixels,
  });
}

/** The decompressions checked per encapsulated syntax: DCMTK where it has a decoder, GDCM always. */
const DECOMPRESSORS: Record<string, ('dcmdrle' | 'dcmdjpls' | 'gdcmconv')[]> = {
  [TS.rleLossless]: ['dcmdrle', 'gdcmconv'],
  [TS.jpegLsLossless]: ['dcmdjpls', 'gdcmconv'],
  [TS.jpeg2000Lossless]: ['gdcmconv'],
};

test('every transfer syntax × pixel layout: dcmdump -E clean, pydicom reads the attributes and exact pixels, DCMTK/GDCM decompress losslessly', () => {
  const written: { path: string; ts: string; decompressedBy?: string; pixels: ArrayLike<number> }[] = [];
  for (const c of CASES) {
    const pixels = samples(c);
    for (const ts of Object.values(TS)) {
      if (ts === TS.jpegLsLossless && c.signed) continue; // refused by design, tested below
      const path = join(dir, `${c.name}-${ts}.dcm`);
      writeFileSync(path, writeDicom(imageDataSet(c, ts, pixels), { transferSyntaxUID: ts }));
      written.push({ path, ts, pixels });
      for (const tool of DECOMPRESSORS[ts] ?? []) {
        const out = join(dir, `${c.name}-${ts}-${tool}.dcm`);
        decompress(tool, path, out);
        written.push({ path: out, ts: TS.explicitVrLittleEndian, decompressedBy: tool, pixels });
      }
    }
  }
  for (const w of written) {
    const d = dcmdumpErrors(w.path);
    assert.equal(d.stderr, '', `dcmdump -E ${w.path} reported: ${d.stderr}`);
    assert.equal(d.status, 0, `dcmdump -E ${w.path} exit status`);
  }
  const results = pydicomRead(written.map((w) => w.path));
  results.forEach((r, i) => {
    const w = written[i]!;
    const where = `${w.path}:`;
    assert.equal(r.error, null, `${where} ${r.error}`);
    assert.equal(r.transferSyntax, w.ts, `${where} transfer syntax`);
    if (!w.decompressedBy) {
      // What the writer put in; a decompressor may rewrite the header (GDCM "fixes" the SOP class).
      assert.equal(r.meta!.MediaStorageSOPInstanceUID, r.attrs!.SOPInstanceUID, `${where} meta instance UID`);
      assert.equal(r.meta!.MediaStorageSOPClassUID, '1.2.840.10008.5.1.4.1.1.7', `${where} meta class UID`);
      assert.equal(r.attrs!.PatientID, 'P1X', `${where} PatientID`);
      assert.equal(r.attrs!.StudyTime, '101502.25', `${where} StudyTime`);
      assert.deepEqual(r.attrs!.WindowCenter, ['100.5', '-3'], `${where} WindowCenter`);
      assert.ok(Math.abs(Number(r.attrs!.WindowWidth) - 1 / 3) < 1e-12, `${where} WindowWidth ${String(r.attrs!.WindowWidth)}`);
      assert.deepEqual(
        r.attrs!.AnatomicRegionSequence,
        [[{ CodeValue: '43799004', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Chest' }]],
        `${where} AnatomicRegionSequence`,
      );
    }
    // pydicom alone cannot decode JPEG-LS / JPEG 2000: those are checked through their decompressed copies.
    if (w.ts === TS.jpegLsLossless || w.ts === TS.jpeg2000Lossless) return;
    const got = pydicomPixels(r);
    assert.equal(got.length, w.pixels.length, `${where} pixel count`);
    const bad = got.findIndex((v, k) => v !== w.pixels[k]);
    assert.equal(bad, -1, `${where} pixel ${bad} is ${got[bad]}, wrote ${w.pixels[bad]}`);
  });
  // RLE: dcmdrle + gdcmconv for 6 layouts; JPEG-LS: dcmdjpls + gdcmconv for the 4 unsigned; JPEG 2000: gdcmconv for 6.
  assert.equal(written.filter((w) => w.decompressedBy).length, 12 + 8 + 6, 'decompressed copies checked');
});

test('Part 10 framing: zero preamble, DICM, File Meta group length that counts exactly the group', () => {
  const c = CASES[0]!;
  for (const ts of Object.values(TS)) {
    const bytes = writeDicom(imageDataSet(c, ts, samples(c)), { transferSyntaxUID: ts });
    assert.ok(bytes.subarray(0, 128).every((b) => b === 0));
    assert.equal(Buffer.from(bytes.subarray(128, 132)).toString('latin1'), 'DICM');
    const v = new DataView(bytes.buffer, bytes.byteOffset);
    assert.equal(v.getUint16(132, true), 0x0002);
    assert.equal(v.getUint16(134, true), 0x0000);
    assert.equal(Buffer.from(bytes.subarray(136, 138)).toString('latin1'), 'UL');
    const groupEnd = 144 + v.getUint32(140, true);
    // The last meta element ends exactly at groupEnd: walk the explicit-LE meta elements.
    let at = 144;
    while (at < groupEnd) {
      assert.equal(v.getUint16(at, true), 0x0002, `meta element at ${at} in group 0002`);
      const vr = Buffer.from(bytes.subarray(at + 4, at + 6)).toString('latin1');
      at += vr === 'OB' ? 12 + v.getUint32(at + 8, true) : 8 + v.getUint16(at + 6, true);
    }
    assert.equal(at, groupEnd);
    assert.equal(bytes.length % 2, 0, 'even file length');
    if (ts !== TS.deflatedExplicitVrLittleEndian) {
      const nextGroup = ts === TS.explicitVrBigEndian ? v.getUint16(groupEnd, false) : v.getUint16(groupEnd, true);
      assert.equal(nextGroup, 0x0008, 'data set starts right after the meta group');
    }
  }
});

function findBytes(hay: Uint8Array, needle: string): number {
  return Buffer.from(hay).indexOf(Buffer.from(needle, 'latin1'));
}

test('odd-length values are padded per PS3.5 §6.2: UI with NUL, text with space, and lengths are even', () => {
  const uid = '1.2.3.456';
  const bytes = writeDicom(
    dataSet({ SOPClassUID: '1.2.840.10008.5.1.4.1.1.7', SOPInstanceUID: uid, PatientID: 'ABC', PatientName: 'X^Y^Z' }),
    { transferSyntaxUID: TS.explicitVrLittleEndian },
  );
  const at = findBytes(bytes, `${uid}\0`);
  assert.ok(at > 0, 'UID followed by NUL');
  assert.equal(new DataView(bytes.buffer).getUint16(at - 2, true), uid.length + 1, 'UID length includes the pad');
  const id = findBytes(bytes, 'ABC ');
  assert.ok(id > 0, 'LO followed by space');
  assert.equal(new DataView(bytes.buffer).getUint16(id - 2, true), 4, 'LO length includes the pad');
  assert.ok(findBytes(bytes, 'X^Y^Z ') > 0, 'PN followed by space');
});

test('encapsulated pixel data: Basic Offset Table points at each frame item; fragments even; sequence delimited', () => {
  const c = CASES[5]!;
  for (const ts of [TS.rleLossless, TS.jpegLsLossless, TS.jpeg2000Lossless]) {
    const bytes = writeDicom(imageDataSet(c, ts, samples(c)), { transferSyntaxUID: ts });
    const v = new DataView(bytes.buffer, bytes.byteOffset);
    const at = Buffer.from(bytes).lastIndexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x42, 0, 0, 0xff, 0xff, 0xff, 0xff]));
    assert.ok(at > 0, 'PixelData OB with undefined length');
    let p = at + 12;
    assert.equal(v.getUint32(p, true), 0xe000fffe);
    const botLength = v.getUint32(p + 4, true);
    assert.equal(botLength, 4 * c.frames);
    const bot = Array.from({ length: c.frames }, (_, i) => v.getUint32(p + 8 + 4 * i, true));
    p += 8 + botLength;
    const firstItem = p;
    const itemOffsets: number[] = [];
    while (v.getUint32(p, true) === 0xe000fffe) {
      const len = v.getUint32(p + 4, true);
      assert.equal(len % 2, 0, 'fragment length even');
      itemOffsets.push(p - firstItem);
      p += 8 + len;
    }
    assert.deepEqual(bot, itemOffsets);
    assert.equal(v.getUint32(p, true), 0xe0ddfffe, 'sequence delimitation item');
    assert.equal(v.getUint32(p + 4, true), 0);
    assert.equal(p + 8, bytes.length, 'nothing after the pixel data');
  }
});

test('values that break their VR are refused with INVALID_VALUE naming the tag', () => {
  const base = { SOPClassUID: '1.2.840.10008.5.1.4.1.1.7', SOPInstanceUID: '1.2.3' } as const;
  const bad: [Parameters<typeof dataSet>[0], RegExp][] = [
    [{ ...base, Modality: 'ct' }, /\(0008,0060\) CS: 'ct' is not a valid CS/],
    [{ ...base, StationName: 'A'.repeat(17) }, /\(0008,1010\) SH: .* 17 characters; at most 16/],
    [{ ...base, WindowCenter: Number.NaN }, /DS value must be finite/],
    [{ ...base, Rows: 70000 }, /\(0028,0010\) US: 70000 is not an integer in \[0, 65535\]/],
    [{ ...base, StudyDate: '20241332' }, /not a valid DA/],
    [{ ...base, StudyInstanceUID: '1.02.3' }, /not a valid UI/],
    [{ ...base, PatientName: 'Müller^Hans' }, /outside the default repertoire/],
    [{ ...base, InstanceNumber: 1.5 }, /IS value must be an integer/],
    [{ ...base, PixelData: new Float32Array(4) }, /OB needs 1-byte values|OW needs 2-byte values/],
  ];
  for (const [values, message] of bad) {
    assert.throws(() => writeDicom(dataSet(values), { transferSyntaxUID: TS.explicitVrLittleEndian }), (e: unknown) => {
      assert.ok(e instanceof DicomWriteError, `${String(e)} for ${JSON.stringify(values)}`);
      assert.equal(e.code, 'INVALID_VALUE', e.message);
      assert.match(e.message, message, e.message);
      return true;
    });
  }
});

test('data set and pixel mistakes are refused with what to do', () => {
  const c = CASES[0]!;
  const good = imageDataSet(c, TS.rleLossless, samples(c));
  const codeOf = (f: () => unknown): string | undefined => {
    try {
      f();
    } catch (e) {
      return (e as DicomWriteError).code;
    }
    return undefined;
  };
  assert.equal(codeOf(() => writeDicom(good.filter((e) => e.tag !== 0x00080018), { transferSyntaxUID: TS.explicitVrLittleEndian })), 'INVALID_DATASET');
  assert.equal(codeOf(() => writeDicom([...good, element('TransferSyntaxUID', '1.2.840.10008.1.2')], { transferSyntaxUID: TS.explicitVrLittleEndian })), 'INVALID_DATASET');
  assert.equal(codeOf(() => writeDicom([...good, element('PatientID', 'again')], { transferSyntaxUID: TS.explicitVrLittleEndian })), 'INVALID_DATASET');
  assert.equal(codeOf(() => writeDicom(good, { transferSyntaxUID: '1.2.840.10008.1.2.4.50' })), 'UNSUPPORTED_TRANSFER_SYNTAX');
  const short = good.map((e) => (e.tag === 0x7fe00010 ? element('PixelData', new Uint16Array(10)) : e));
  assert.equal(codeOf(() => writeDicom(short, { transferSyntaxUID: TS.rleLossless })), 'INVALID_PIXEL_DATA');
  const signed = imageDataSet(CASES[2]!, TS.jpegLsLossless, samples(CASES[2]!));
  assert.throws(() => writeDicom(signed, { transferSyntaxUID: TS.jpegLsLossless }), /JPEG-LS has no signed samples/);
  const tooBig = good.map((e) => (e.tag === 0x7fe00010 ? element('PixelData', new Uint16Array(c.rows * c.columns).fill(4096)) : e));
  assert.throws(() => writeDicom(tooBig, { transferSyntaxUID: TS.jpeg2000Lossless }), /sample 0 is 4096, outside \[0, 4095\]/);
});
