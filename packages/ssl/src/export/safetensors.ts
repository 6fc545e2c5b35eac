/**
 * The safetensors file format (https://github.com/huggingface/safetensors, "Format" section),
 * so PyTorch / MONAI users can load fedcl weights without TensorFlow:
 *
 *   u64 little-endian N | N bytes of UTF-8 JSON header | byte buffer
 *
 * Header: {"<name>": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
 * "__metadata__": {string: string}}; offsets are relative to the byte buffer, which the tensors
 * cover without holes or overlap. Data is little-endian, row-major (C order). As the reference
 * writer does, the header is padded with spaces to a multiple of 8 bytes and tensors are laid out
 * by decreasing element size then name, so each tensor starts aligned to its element size.
 *
 * Pure byte manipulation: no tfjs here (see `namedTensors.ts` for the tfjs side).
 */

export type SafetensorsDtype =
  | 'F64' | 'F32' | 'F16' | 'BF16'
  | 'I64' | 'I32' | 'I16' | 'I8'
  | 'U64' | 'U32' | 'U16' | 'U8'
  | 'BOOL';

/** Element storage per dtype. F16/BF16 are kept as raw bit patterns; BOOL as 0/1 bytes. */
export type SafetensorsData =
  | Float64Array | Float32Array | BigInt64Array | BigUint64Array
  | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array;

/** One tensor: `data.length` equals the product of `shape` (1 for a scalar, shape []). */
export interface SafeTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: SafetensorsData;
}

export interface SafetensorsFile {
  tensors: Map<string, SafeTensor>;
  metadata: Record<string, string>;
}

export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

type ArrayCtor = { new (buffer: ArrayBuffer, byteOffset?: number, length?: number): SafetensorsData; BYTES_PER_ELEMENT: number };

const DTYPES: Record<SafetensorsDtype, ArrayCtor> = {
  F64: Float64Array, F32: Float32Array, F16: Uint16Array, BF16: Uint16Array,
  I64: BigInt64Array, I32: Int32Array, I16: Int16Array, I8: Int8Array,
  U64: BigUint64Array, U32: Uint32Array, U16: Uint16Array, U8: Uint8Array,
  BOOL: Uint8Array,
} as Record<SafetensorsDtype, ArrayCtor>;

/** The reference implementation refuses headers above 100 MB. */
const MAX_HEADER_BYTES = 100_000_000;

function assertLittleEndianHost(): void {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    throw new SafetensorsError('this host is big-endian; safetensors I/O here assumes a little-endian host');
  }
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Serialises named tensors and optional string metadata.
 * @throws SafetensorsError on a data length that does not match the shape, a dtype/array mismatch,
 *   a name '__metadata__', or non-string metadata values.
 */
export function encodeSafetensors(
  tensors: ReadonlyMap<string, SafeTensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  assertLittleEndianHost();
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== 'string') throw new SafetensorsError(`metadata '${k}' must be a string, got ${typeof v}`);
  }
  const entries = [...tensors.entries()].map(([name, t]) => {
    if (name === '__metadata__') throw new SafetensorsError("a tensor cannot be named '__metadata__'");
    const ctor = DTYPES[t.dtype];
    if (ctor === undefined) throw new SafetensorsError(`tensor '${name}': unknown dtype '${t.dtype}'`);
    if (!(t.data instanceof ctor)) {
      throw new SafetensorsError(`tensor '${name}': dtype ${t.dtype} needs a ${ctor.name}, got ${t.data.constructor.name}`);
    }
    if (!t.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new SafetensorsError(`tensor '${name}': shape [${t.shape}] must hold non-negative integers`);
    }
    if (elementCount(t.shape) !== t.data.length) {
      throw new SafetensorsError(`tensor '${name}': shape [${t.shape}] needs ${elementCount(t.shape)} elements, data has ${t.data.length}`);
    }
    return { name, t, size: ctor.BYTES_PER_ELEMENT };
  });
  entries.sort((a, b) => b.size - a.size || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const { name, t } of entries) {
    const end = offset + t.data.byteLength;
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, end] };
    offset = end;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let pos = 8 + padded;
  for (const { t } of entries) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), pos);
    pos += t.data.byteLength;
  }
  return out;
}

interface HeaderEntry {
  dtype: SafetensorsDtype;
  shape: number[];
  data_offsets: [number, number];
}

/**
 * Parses a safetensors file, validating it as strictly as the reference reader: header size,
 * JSON object, known dtypes, integer shapes, offsets that match the shapes and cover the buffer
 * without holes or overlap. Tensor data is copied (aligned) out of `bytes`.
 */
export function decodeSafetensors(bytes: Uint8Array): SafetensorsFile {
  assertLittleEndianHost();
  if (bytes.length < 8) throw new SafetensorsError(`file is ${bytes.length} bytes: too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES) || n > BigInt(bytes.length - 8)) {
    throw new SafetensorsError(`header length ${n} is larger than the file (${bytes.length} bytes) or than 100 MB: not a safetensors file?`);
  }
  const headerBytes = bytes.subarray(8, 8 + Number(n));
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (e) {
    throw new SafetensorsError(`header is not valid UTF-8 JSON: ${(e as Error).message}`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new SafetensorsError('header must be a JSON object');
  }
  const buffer = bytes.subarray(8 + Number(n));
  const metadata: Record<string, string> = {};
  const spans: { name: string; begin: number; end: number }[] = [];
  const tensors = new Map<string, SafeTensor>();
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new SafetensorsError('__metadata__ must be an object of strings');
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') throw new SafetensorsError(`__metadata__ '${k}' must be a string`);
        metadata[k] = v;
      }
      continue;
    }
    const e = raw as HeaderEntry;
    const ctor = DTYPES[e?.dtype];
    if (ctor === undefined) throw new SafetensorsError(`tensor '${name}': unsupported dtype '${String(e?.dtype)}'`);
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new SafetensorsError(`tensor '${name}': shape must be an array of non-negative integers`);
    }
    const [begin, end] = Array.isArray(e.data_offsets) ? e.data_offsets : [NaN, NaN];
    if (!Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || begin < 0 || end < begin || end > buffer.length) {
      throw new SafetensorsError(`tensor '${name}': data_offsets [${e.data_offsets}] outside the ${buffer.length}-byte buffer`);
    }
    const count = elementCount(e.shape);
    if (count * ctor.BYTES_PER_ELEMENT !== end - begin) {
      throw new SafetensorsError(`tensor '${name}': shape [${e.shape}] of ${e.dtype} needs ${count * ctor.BYTES_PER_ELEMENT} bytes, offsets give ${end - begin}`);
    }
    const copy = new ArrayBuffer(end - begin);
    new Uint8Array(copy).set(buffer.subarray(begin, end));
    tensors.set(name, { dtype: e.dtype, shape: [...e.shape], data: new ctor(copy, 0, count) });
    spans.push({ name, begin, end });
  }
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const s of spans) {
    if (s.begin !== expected) {
      throw new SafetensorsError(`tensor '${s.name}' starts at byte ${s.begin}, expected ${expected}: the buffer has a hole or overlap`);
    }
    expected = s.end;
  }
  if (expected !== buffer.length) {
    throw new SafetensorsError(`tensors cover ${expected} bytes but the buffer has ${buffer.length}: trailing bytes`);
  }
  return { tensors, metadata };
}
