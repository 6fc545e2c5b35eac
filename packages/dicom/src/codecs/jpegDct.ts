/**
 * Sequential DCT JPEG decoder (ITU T.81 processes 1, 2 and 4: baseline and extended, Huffman
 * coded, 8- or 12-bit samples) for JPEG Extended (.51) 12-bit frames, which the 8-bit
 * libjpeg-turbo build cannot decode.
 *
 * The inverse DCT is IJG libjpeg's accurate integer one (jidctint.c, "islow"), including its
 * constants, rounding, 32-bit wrap-around and range-limit table, so decoded samples equal those of
 * DCMTK's dcmdjpeg and libjpeg(-turbo) bit for bit on valid streams. No colour conversion and no
 * upsampling: multi-component frames must be unsubsampled and are returned as stored.
 */
import { DicomError } from '../errors.js';
import { corrupt } from './frameLayout.js';
import { BitReader, buildHuffman, extend, type HuffmanTable } from './jpegHuffman.js';

const CODEC = 'JPEG DCT decoder (fedcl, 8/12-bit)';

/** Zig-zag index → natural (row-major) index within an 8×8 block. */
const ZIGZAG = [
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57,
  50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

interface Component {
  id: number;
  h: number;
  v: number;
  tq: number;
  blocksPerLine: number;
  blocksPerColumn: number;
  /** Dequantized? No: raw coefficients, natural order, blocksPerColumn × blocksPerLine × 64. */
  coefficients: Int32Array;
  pred: number;
  dcTable: number;
  acTable: number;
}

/** The decoded image: rows × columns × components samples, interleaved. */
export interface DctImage {
  rows: number;
  columns: number;
  components: number;
  precision: number;
  samples: Uint8Array | Uint16Array;
}

const FIX_0_298631336 = 2446;
const FIX_0_390180644 = 3196;
const FIX_0_541196100 = 4433;
const FIX_0_765366865 = 6270;
const FIX_0_899976223 = 7373;
const FIX_1_175875602 = 9633;
const FIX_1_501321110 = 12299;
const FIX_1_847759065 = 15137;
const FIX_1_961570560 = 16069;
const FIX_2_053119869 = 16819;
const FIX_2_562915447 = 20995;
const FIX_3_072711026 = 25172;
const CONST_BITS = 13;

/**
 * IJG jidctint.c jpeg_idct_islow on one block: `coef` (64, natural order) × `quant` →
 * `out` samples at `outOffset` with row stride `stride`. All arithmetic wraps at 32 bits as in C.
 */
function idctIslow(
  coef: Int32Array,
  coefOffset: number,
  quant: Int32Array,
  ws: Int32Array,
  precision: number,
  range: Int32Array,
  out: Int32Array,
  outOffset: number,
  stride: number,
): void {
  const pass1 = precision === 8 ? 2 : 1;
  const rangeMask = range.length - 1;
  const d1 = CONST_BITS - pass1;
  const r1 = 1 << (d1 - 1);
  const d2 = CONST_BITS + pass1 + 3;
  const r2 = 1 << (d2 - 1);
  const m = Math.imul;

  for (let c = 0; c < 8; c++) {
    const k = coefOffset + c;
    let z2 = m(coef[k + 16]!, quant[16 + c]!);
    let z3 = m(coef[k + 48]!, quant[48 + c]!);
    let z1 = m((z2 + z3) | 0, FIX_0_541196100);
    let tmp2 = (z1 + m(z3, -FIX_1_847759065)) | 0;
    let tmp3 = (z1 + m(z2, FIX_0_765366865)) | 0;
    z2 = m(coef[k]!, quant[c]!);
    z3 = m(coef[k + 32]!, quant[32 + c]!);
    let tmp0 = ((z2 + z3) | 0) << CONST_BITS;
    let tmp1 = ((z2 - z3) | 0) << CONST_BITS;
    const tmp10 = (tmp0 + tmp3) | 0;
    const tmp13 = (tmp0 - tmp3) | 0;
    const tmp11 = (tmp1 + tmp2) | 0;
    const tmp12 = (tmp1 - tmp2) | 0;
    tmp0 = m(coef[k + 56]!, quant[56 + c]!);
    tmp1 = m(coef[k + 40]!, quant[40 + c]!);
    tmp2 = m(coef[k + 24]!, quant[24 + c]!);
    tmp3 = m(coef[k + 8]!, quant[8 + c]!);
    z1 = (tmp0 + tmp3) | 0;
    z2 = (tmp1 + tmp2) | 0;
    z3 = (tmp0 + tmp2) | 0;
    let z4 = (tmp1 + tmp3) | 0;
    const z5 = m((z3 + z4) | 0, FIX_1_175875602);
    tmp0 = m(tmp0, FIX_0_298631336);
    tmp1 = m(tmp1, FIX_2_053119869);
    tmp2 = m(tmp2, FIX_3_072711026);
    tmp3 = m(tmp3, FIX_1_501321110);
    z1 = m(z1, -FIX_0_899976223);
    z2 = m(z2, -FIX_2_562915447);
    z3 = (m(z3, -FIX_1_961570560) + z5) | 0;
    z4 = (m(z4, -FIX_0_390180644) + z5) | 0;
    tmp0 = (tmp0 + z1 + z3) | 0;
    tmp1 = (tmp1 + z2 + z4) | 0;
    tmp2 = (tmp2 + z2 + z3) | 0;
    tmp3 = (tmp3 + z1 + z4) | 0;
    ws[c] = (tmp10 + tmp3 + r1) >> d1;
    ws[56 + c] = (tmp10 - tmp3 + r1) >> d1;
    ws[8 + c] = (tmp11 + tmp2 + r1) >> d1;
    ws[48 + c] = (tmp11 - tmp2 + r1) >> d1;
    ws[16 + c] = (tmp12 + tmp1 + r1) >> d1;
    ws[40 + c] = (tmp12 - tmp1 + r1) >> d1;
    ws[24 + c] = (tmp13 + tmp0 + r1) >> d1;
    ws[32 + c] = (tmp13 - tmp0 + r1) >> d1;
  }

  for (let row = 0; row < 8; row++) {
    const w = 8 * row;
    let z2 = ws[w + 2]!;
    let z3 = ws[w + 6]!;
    let z1 = m((z2 + z3) | 0, FIX_0_541196100);
    let tmp2 = (z1 + m(z3, -FIX_1_847759065)) | 0;
    let tmp3 = (z1 + m(z2, FIX_0_765366865)) | 0;
    let tmp0 = ((ws[w]! + ws[w + 4]!) | 0) << CONST_BITS;
    let tmp1 = ((ws[w]! - ws[w + 4]!) | 0) << CONST_BITS;
    const tmp10 = (tmp0 + tmp3) | 0;
    const tmp13 = (tmp0 - tmp3) | 0;
    const tmp11 = (tmp1 + tmp2) | 0;
    const tmp12 = (tmp1 - tmp2) | 0;
    tmp0 = ws[w + 7]!;
    tmp1 = ws[w + 5]!;
    tmp2 = ws[w + 3]!;
    tmp3 = ws[w + 1]!;
    z1 = (tmp0 + tmp3) | 0;
    z2 = (tmp1 + tmp2) | 0;
    z3 = (tmp0 + tmp2) | 0;
    let z4 = (tmp1 + tmp3) | 0;
    const z5 = m((z3 + z4) | 0, FIX_1_175875602);
    tmp0 = m(tmp0, FIX_0_298631336);
    tmp1 = m(tmp1, FIX_2_053119869);
    tmp2 = m(tmp2, FIX_3_072711026);
    tmp3 = m(tmp3, FIX_1_501321110);
    z1 = m(z1, -FIX_0_899976223);
    z2 = m(z2, -FIX_2_562915447);
    z3 = (m(z3, -FIX_1_961570560) + z5) | 0;
    z4 = (m(z4, -FIX_0_390180644) + z5) | 0;
    tmp0 = (tmp0 + z1 + z3) | 0;
    tmp1 = (tmp1 + z2 + z4) | 0;
    tmp2 = (tmp2 + z2 + z3) | 0;
    tmp3 = (tmp3 + z1 + z4) | 0;
    const o = outOffset + row * stride;
    out[o] = range[((tmp10 + tmp3 + r2) >> d2) & rangeMask]!;
    out[o + 7] = range[((tmp10 - tmp3 + r2) >> d2) & rangeMask]!;
    out[o + 1] = range[((tmp11 + tmp2 + r2) >> d2) & rangeMask]!;
    out[o + 6] = range[((tmp11 - tmp2 + r2) >> d2) & rangeMask]!;
    out[o + 2] = range[((tmp12 + tmp1 + r2) >> d2) & rangeMask]!;
    out[o + 5] = range[((tmp12 - tmp1 + r2) >> d2) & rangeMask]!;
    out[o + 3] = range[((tmp13 + tmp0 + r2) >> d2) & rangeMask]!;
    out[o + 4] = range[((tmp13 - tmp0 + r2) >> d2) & rangeMask]!;
  }
}

/**
 * jdmaster.c's post-IDCT range-limit table, indexed by (descaled value & mask): values wrap to
 * [-2(max+1), 2(max+1)), are offset by the centre sample value and clamped to [0, max].
 */
function rangeLimitTable(precision: number): Int32Array {
  const max = (1 << precision) - 1;
  const center = 1 << (precision - 1);
  const table = new Int32Array(4 * (max + 1));
  for (let i = 0; i < table.length; i++) {
    const x = (i >= 2 * (max + 1) ? i - 4 * (max + 1) : i) + center;
    table[i] = x < 0 ? 0 : x > max ? max : x;
  }
  return table;
}

function segmentLength(b: Uint8Array, i: number): number {
  if (i + 4 > b.length) throw corrupt(CODEC, 'the stream ends inside a marker segment');
  const length = (b[i + 2]! << 8) | b[i + 3]!;
  if (length < 2 || i + 2 + length > b.length) throw corrupt(CODEC, `marker segment at byte ${i} has length ${length} past the end of the stream`);
  return length;
}

/**
 * Decodes a sequential Huffman DCT JPEG stream (SOF0/SOF1) of 8- or 12-bit precision.
 * @throws DicomError CORRUPT_PIXEL_DATA on malformed streams; UNSUPPORTED_PIXEL_FORMAT for
 *   progressive, arithmetic-coded, hierarchical or chroma-subsampled streams.
 */
export function decodeJpegDct(b: Uint8Array): DctImage {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) throw corrupt(CODEC, 'no SOI marker at the start of the frame');
  const quant: Int32Array[] = [];
  const dcTables: HuffmanTable[] = [];
  const acTables: HuffmanTable[] = [];
  let restartInterval = 0;
  let frame: { precision: number; rows: number; columns: number; components: Component[]; hmax: number; vmax: number } | undefined;
  let i = 2;
  let scans = 0;

  for (;;) {
    if (i + 2 > b.length) {
      if (frame && scans > 0) break;
      throw corrupt(CODEC, 'the stream ends before its image data');
    }
    if (b[i] !== 0xff) {
      i++;
      continue;
    }
    const marker = b[i + 1]!;
    if (marker === 0xff || marker === 0x00 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += marker === 0xff ? 1 : 2;
      continue;
    }
    if (marker === 0xd9) break;
    const length = segmentLength(b, i);
    const seg = i + 4;
    const end = i + 2 + length;
    switch (marker) {
      case 0xdb: {
        for (let p = seg; p < end; ) {
          const pq = b[p]! >> 4;
          const tq = b[p]! & 15;
          if (tq > 3 || p + 1 + 64 * (pq + 1) > end) throw corrupt(CODEC, 'bad quantisation table (DQT)');
          const table = new Int32Array(64);
          for (let k = 0; k < 64; k++) table[ZIGZAG[k]!] = pq ? (b[p + 1 + 2 * k]! << 8) | b[p + 2 + 2 * k]! : b[p + 1 + k]!;
          quant[tq] = table;
          p += 1 + 64 * (pq + 1);
        }
        break;
      }
      case 0xc4: {
        for (let p = seg; p < end; ) {
          const tc = b[p]! >> 4;
          const th = b[p]! & 15;
          if (p + 17 > end || th > 3 || tc > 1) throw corrupt(CODEC, 'bad Huffman table (DHT)');
          const counts = b.subarray(p + 1, p + 17);
          const total = counts.reduce((s, n) => s + n, 0);
          if (total > 256 || p + 17 + total > end) throw corrupt(CODEC, 'bad Huffman table (DHT)');
          const table = buildHuffman(counts, b.slice(p + 17, p + 17 + total));
          (tc === 0 ? dcTables : acTables)[th] = table;
          p += 17 + total;
        }
        break;
      }
      case 0xdd:
        restartInterval = (b[seg]! << 8) | b[seg + 1]!;
        break;
      case 0xc0:
      case 0xc1: {
        if (frame) throw corrupt(CODEC, 'a second frame header (SOF) in one frame');
        const precision = b[seg]!;
        const rows = (b[seg + 1]! << 8) | b[seg + 2]!;
        const columns = (b[seg + 3]! << 8) | b[seg + 4]!;
        const n = b[seg + 5]!;
        if (precision === 16) {
          // T.81 DCT processes stop at 12 bits; GDCM's lossy JPEG of 16-bit data uses a 16-bit libjpeg build.
          throw new DicomError(
            'UNSUPPORTED_PIXEL_FORMAT',
            `${CODEC}: a 16-bit lossy (DCT) JPEG stream, which is outside the JPEG standard (DCT precision is 8 or 12 bits; GDCM writes such files); decompress it with \`gdcmconv --raw\` first.`,
          );
        }
        if ((precision !== 8 && precision !== 12) || rows === 0 || columns === 0 || n === 0 || n > 4 || length < 8 + 3 * n) {
          throw corrupt(CODEC, `bad frame header (SOF): precision ${precision}, ${columns}×${rows}, ${n} components`);
        }
        const components: Component[] = [];
        for (let c = 0; c < n; c++) {
          const s = b[seg + 7 + 3 * c]!;
          components.push({
            id: b[seg + 6 + 3 * c]!, h: s >> 4, v: s & 15, tq: b[seg + 8 + 3 * c]! & 3,
            blocksPerLine: 0, blocksPerColumn: 0, coefficients: new Int32Array(0), pred: 0, dcTable: 0, acTable: 0,
          });
        }
        if (components.some((c) => c.h !== 1 || c.v !== 1)) {
          throw new DicomError(
            'UNSUPPORTED_PIXEL_FORMAT',
            `${CODEC}: chroma-subsampled ${precision}-bit JPEG (sampling ${components.map((c) => `${c.h}x${c.v}`).join(',')}) is not supported; convert the file with \`dcmdjpeg\` first.`,
          );
        }
        const blocksPerLine = Math.ceil(columns / 8);
        const blocksPerColumn = Math.ceil(rows / 8);
        for (const c of components) {
          c.blocksPerLine = blocksPerLine;
          c.blocksPerColumn = blocksPerColumn;
          c.coefficients = new Int32Array(blocksPerLine * blocksPerColumn * 64);
        }
        frame = { precision, rows, columns, components, hmax: 1, vmax: 1 };
        break;
      }
      case 0xc2: case 0xc3: case 0xc5: case 0xc6: case 0xc7: case 0xc9: case 0xca: case 0xcb: case 0xcd: case 0xce: case 0xcf:
        throw new DicomError(
          'UNSUPPORTED_PIXEL_FORMAT',
          `${CODEC}: JPEG process with frame marker FF${marker.toString(16).toUpperCase()} (progressive, lossless, hierarchical or arithmetic) is not a sequential Huffman DCT stream; the transfer syntax does not match the data.`,
        );
      case 0xda: {
        if (!frame) throw corrupt(CODEC, 'scan (SOS) before the frame header (SOF)');
        const ns = b[seg]!;
        if (ns === 0 || ns > 4 || length < 6 + 2 * ns) throw corrupt(CODEC, 'bad scan header (SOS)');
        const scanComponents: Component[] = [];
        for (let k = 0; k < ns; k++) {
          const comp = frame.components.find((c) => c.id === b[seg + 1 + 2 * k]);
          if (!comp) throw corrupt(CODEC, `scan refers to component ${b[seg + 1 + 2 * k]} which the frame does not have`);
          comp.dcTable = b[seg + 2 + 2 * k]! >> 4;
          comp.acTable = b[seg + 2 + 2 * k]! & 15;
          if (!dcTables[comp.dcTable] || !acTables[comp.acTable]) throw corrupt(CODEC, 'scan uses a Huffman table that was not defined');
          if (!quant[comp.tq]) throw corrupt(CODEC, 'component uses a quantisation table that was not defined');
          scanComponents.push(comp);
        }
        i = decodeScan(b, end, scanComponents, dcTables, acTables, restartInterval);
        scans++;
        continue;
      }
      default:
        break;
    }
    i = end;
  }
  if (!frame || scans === 0) throw corrupt(CODEC, 'the stream has no frame header or no scan');

  const { rows, columns, precision, components } = frame;
  const n = components.length;
  const blocksPerLine = components[0]!.blocksPerLine;
  const paddedWidth = blocksPerLine * 8;
  const plane = new Int32Array(paddedWidth * components[0]!.blocksPerColumn * 8);
  const ws = new Int32Array(64);
  const range = rangeLimitTable(precision);
  const samples = precision === 8 ? new Uint8Array(rows * columns * n) : new Uint16Array(rows * columns * n);
  components.forEach((comp, ci) => {
    const q = quant[comp.tq]!;
    for (let by = 0; by < comp.blocksPerColumn; by++) {
      for (let bx = 0; bx < comp.blocksPerLine; bx++) {
        idctIslow(comp.coefficients, (by * comp.blocksPerLine + bx) * 64, q, ws, precision, range, plane, by * 8 * paddedWidth + bx * 8, paddedWidth);
      }
    }
    for (let y = 0; y < rows; y++) {
      for (let x = 0, o = y * columns * n + ci; x < columns; x++, o += n) samples[o] = plane[y * paddedWidth + x]!;
    }
  });
  return { rows, columns, components: n, precision, samples };
}

/** Decodes one scan's entropy-coded segment into the components' coefficients; returns the offset after it. */
function decodeScan(
  b: Uint8Array,
  start: number,
  comps: Component[],
  dcTables: HuffmanTable[],
  acTables: HuffmanTable[],
  restartInterval: number,
): number {
  const r = new BitReader(b, start);
  const single = comps.length === 1;
  // Without subsampling an interleaved MCU holds one block per component, in scan order.
  const mcusPerLine = comps[0]!.blocksPerLine;
  const totalMcus = mcusPerLine * comps[0]!.blocksPerColumn;
  for (const c of comps) c.pred = 0;
  const decodeBlock = (c: Component, offset: number): void => {
    const dc = dcTables[c.dcTable]!;
    const ac = acTables[c.acTable]!;
    const t = r.decode(dc);
    if (t < 0 || t > 16) throw corrupt(CODEC, t < 0 ? 'invalid Huffman code in the entropy-coded data' : `DC difference category ${t} is out of range`);
    c.pred += extend(r.receive(t), t);
    c.coefficients[offset] = c.pred;
    for (let k = 1; k < 64; ) {
      const rs = r.decode(ac);
      if (rs < 0) throw corrupt(CODEC, 'invalid Huffman code in the entropy-coded data');
      const s = rs & 15;
      const run = rs >> 4;
      if (s === 0) {
        if (run !== 15) break;
        k += 16;
        continue;
      }
      k += run;
      if (k > 63) throw corrupt(CODEC, 'AC coefficient index past 63');
      c.coefficients[offset + ZIGZAG[k]!] = extend(r.receive(s), s);
      k++;
    }
  };
  for (let mcu = 0; mcu < totalMcus; mcu++) {
    if (restartInterval && mcu > 0 && mcu % restartInterval === 0) {
      r.restart();
      for (const c of comps) c.pred = 0;
    }
    const row = Math.floor(mcu / mcusPerLine);
    const col = mcu % mcusPerLine;
    if (single) decodeBlock(comps[0]!, (row * mcusPerLine + col) * 64);
    else for (const c of comps) decodeBlock(c, (row * c.blocksPerLine + col) * 64);
  }
  return r.endOfScan();
}
