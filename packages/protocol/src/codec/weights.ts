import { endianness } from 'node:os';
import { ProtocolError } from '../errors.js';
import type { WeightDtype } from '../schemas/common.js';
import { decodeFloat16, encodeFloat16 } from './fp16.js';
import { dequantizeInt8, quantizeInt8 } from './int8.js';
import { elementCount, findNonFinite, type NamedTensors } from './tensors.js';

if (endianness() !== 'LE') throw new Error('the fedcl weight codec assumes a little-endian host');

/**
 * Binary layout (little-endian):
 *   0  'FCLW' magic
 *   4  u8 format version (1)
 *   5  u8 dtype (0 fp32, 1 fp16, 2 int8)
 *   6  u16 reserved (0)
 *   8  u32 header length H
 *  12  H bytes UTF-8 JSON {"tensors":[{"name","shape","scale"?}]} in data order
 *      then each tensor's values, every tensor starting on a 4-byte boundary.
 */
const MAGIC = [0x46, 0x43, 0x4c, 0x57];
const FORMAT_VERSION = 1;
const DTYPES: readonly WeightDtype[] = ['fp32', 'fp16', 'int8'];
const BYTES: Record<WeightDtype, number> = { fp32: 4, fp16: 2, int8: 1 };

/** Refuse before allocating: a hostile header cannot make the decoder allocate more than this. */
export interface WeightLimits {
  maxTensors: number;
  /** decoded fp32 bytes */
  maxBytes: number;
  maxHeaderBytes: number;
  maxRank: number;
}

export const DEFAULT_WEIGHT_LIMITS: WeightLimits = {
  maxTensors: 4096,
  maxBytes: 512 * 1024 * 1024,
  maxHeaderBytes: 4 * 1024 * 1024,
  maxRank: 8,
};

interface HeaderEntry {
  name: string;
  shape: number[];
  scale?: number;
}

const align4 = (n: number): number => (n + 3) & ~3;

/**
 * Encodes named fp32 tensors as `dtype`. Refuses NaN/Inf (a non-finite update would poison the
 * average) and, for fp16, values that would overflow to Inf.
 */
export function encodeWeights(tensors: NamedTensors, dtype: WeightDtype = 'fp32'): Uint8Array {
  const bad = findNonFinite(tensors);
  if (bad) {
    throw new ProtocolError('weights.non_finite', `tensor '${bad.name}' has ${bad.value} at index ${bad.index}; refusing to encode non-finite weights (lower the learning rate or clip gradients)`, bad.name);
  }
  const entries: HeaderEntry[] = [];
  for (const [name, t] of tensors) {
    if (elementCount(t.shape) !== t.data.length) {
      throw new ProtocolError('weights.shape_mismatch', `tensor '${name}' has shape [${t.shape.join(', ')}] but ${t.data.length} values`, name);
    }
    entries.push({ name, shape: [...t.shape] });
  }
  // Quantise first: int8 scales go in the header.
  const payloads: Uint8Array[] = [];
  let i = 0;
  for (const [name, t] of tensors) {
    const entry = entries[i++]!;
    if (dtype === 'fp32') {
      payloads.push(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    } else if (dtype === 'fp16') {
      const h = new Uint16Array(t.data.length);
      encodeFloat16(t.data, h);
      for (let k = 0; k < h.length; k++) {
        if ((h[k]! & 0x7c00) === 0x7c00) {
          throw new ProtocolError('weights.fp16_overflow', `tensor '${name}' value ${t.data[k]} at index ${k} overflows fp16 (|x| > 65504); send fp32 or int8`, name);
        }
      }
      payloads.push(new Uint8Array(h.buffer));
    } else {
      const q = new Int8Array(t.data.length);
      entry.scale = quantizeInt8(t.data, q);
      payloads.push(new Uint8Array(q.buffer));
    }
  }
  const header = new TextEncoder().encode(JSON.stringify({ tensors: entries }));
  let total = align4(12 + header.length);
  for (const p of payloads) total = align4(total + p.length);
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  out[4] = FORMAT_VERSION;
  out[5] = DTYPES.indexOf(dtype);
  new DataView(out.buffer).setUint32(8, header.length, true);
  out.set(header, 12);
  let offset = align4(12 + header.length);
  for (const p of payloads) {
    out.set(p, offset);
    offset = align4(offset + p.length);
  }
  return out;
}

/** Reads only the header: names, shapes, dtype and the size the decoded tensors would take. */
export function readWeightsHeader(bytes: Uint8Array, limits: WeightLimits = DEFAULT_WEIGHT_LIMITS): { dtype: WeightDtype; tensors: HeaderEntry[]; dataOffset: number; decodedBytes: number } {
  const fail = (msg: string): never => {
    throw new ProtocolError('weights.malformed', `weights: ${msg}`);
  };
  if (bytes.length < 12) fail(`${bytes.length} bytes is shorter than the 12-byte preamble`);
  if (!MAGIC.every((b, i) => bytes[i] === b)) fail('missing FCLW magic: not a fedcl weight file');
  if (bytes[4] !== FORMAT_VERSION) fail(`format version ${bytes[4]} is not supported (expected ${FORMAT_VERSION})`);
  const dtype = DTYPES[bytes[5]!] ?? fail(`unknown dtype code ${bytes[5]}`);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (headerLength > limits.maxHeaderBytes) {
    throw new ProtocolError('weights.too_large', `weights header of ${headerLength} bytes exceeds the limit of ${limits.maxHeaderBytes}`);
  }
  if (12 + headerLength > bytes.length) fail(`header length ${headerLength} runs past the end (${bytes.length} bytes)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(12, 12 + headerLength)));
  } catch {
    fail('header is not UTF-8 JSON');
  }
  const list = (parsed as { tensors?: unknown })?.tensors;
  if (!Array.isArray(list)) fail('header has no "tensors" array');
  const tensors = list as unknown[];
  if (tensors.length > limits.maxTensors) {
    throw new ProtocolError('weights.too_large', `${tensors.length} tensors exceeds the limit of ${limits.maxTensors}`);
  }
  const names = new Set<string>();
  let decodedBytes = 0;
  let offset = align4(12 + headerLength);
  const entries: HeaderEntry[] = [];
  for (const [k, raw] of tensors.entries()) {
    const e = raw as Partial<HeaderEntry>;
    if (typeof e?.name !== 'string' || e.name.length === 0 || e.name.length > 512) fail(`tensor ${k} has no valid name`);
    const name = e.name!;
    if (names.has(name)) fail(`tensor '${name}' appears twice`);
    names.add(name);
    if (!Array.isArray(e.shape) || e.shape.length > limits.maxRank || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`tensor '${name}' shape must be at most ${limits.maxRank} non-negative integers`);
    }
    const n = elementCount(e.shape!);
    decodedBytes += 4 * n;
    if (!Number.isSafeInteger(n) || decodedBytes > limits.maxBytes) {
      throw new ProtocolError('weights.too_large', `decoded weights would exceed the limit of ${limits.maxBytes} bytes (at tensor '${name}')`, name);
    }
    if (dtype === 'int8' && !(typeof e.scale === 'number' && Number.isFinite(e.scale) && e.scale >= 0)) {
      fail(`int8 tensor '${name}' needs a finite non-negative scale`);
    }
    offset = align4(offset + n * BYTES[dtype]);
    entries.push(dtype === 'int8' ? { name, shape: e.shape!, scale: e.scale! } : { name, shape: e.shape! });
  }
  if (offset !== bytes.length) fail(`header describes ${offset} bytes but the payload has ${bytes.length}`);
  return { dtype, tensors: entries, dataOffset: align4(12 + headerLength), decodedBytes };
}

/** Decodes weights to fp32, enforcing `limits` from the header before allocating. */
export function decodeWeights(bytes: Uint8Array, limits: WeightLimits = DEFAULT_WEIGHT_LIMITS): NamedTensors {
  const { dtype, tensors, dataOffset } = readWeightsHeader(bytes, limits);
  const out: NamedTensors = new Map();
  let offset = dataOffset;
  for (const e of tensors) {
    const n = elementCount(e.shape);
    const data = new Float32Array(n);
    const start = bytes.byteOffset + offset;
    if (dtype === 'fp32') {
      data.set(start % 4 === 0 ? new Float32Array(bytes.buffer, start, n) : new Float32Array(bytes.slice(offset, offset + 4 * n).buffer));
    } else if (dtype === 'fp16') {
      const src = start % 2 === 0 ? new Uint16Array(bytes.buffer, start, n) : new Uint16Array(bytes.slice(offset, offset + 2 * n).buffer);
      decodeFloat16(src, data);
    } else {
      dequantizeInt8(new Int8Array(bytes.buffer, start, n), e.scale!, data);
    }
    offset = align4(offset + n * BYTES[dtype]);
    out.set(e.name, { shape: e.shape, data });
  }
  return out;
}
