import { formatTag } from './dictionary.js';
import type { BinaryValue, DicomElement } from './element.js';
import { DicomWriteError } from './errors.js';
import { formatDecimalString, formatIntegerString } from './formatNumber.js';
import {
  type BinaryVr, type NumberVr, type StringVr, MAX_STRING_LENGTH, isBinaryVr, isNumberVr, isSingleValuedText, isStringVr,
  paddingByte, valueSize,
} from './vr.js';

/**
 * Per-VR character rules for one value (PS3.5 Table 6.2-1), default character repertoire only:
 * fedcl writes no Specific Character Set, so every string must be ASCII.
 */
const VALUE_PATTERN: Partial<Record<StringVr, RegExp>> = {
  AS: /^\d{3}[DWMY]$/,
  CS: /^[A-Z0-9 _]*$/,
  DA: /^(\d{4}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01]))?$/,
  DS: /^ *[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)? *$|^$/,
  IS: /^ *[+-]?\d+ *$|^$/,
  TM: /^(([01]\d|2[0-3])([0-5]\d([0-5]\d(\.\d{1,6})?)?)?)?$/,
  UI: /^((0|[1-9]\d*)(\.(0|[1-9]\d*))*)?$/,
  DT: /^(\d{4}(\d{2}(\d{2}(\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?)?)?)?([+-]\d{4})?)?$/,
};

const TEXT_CONTROL = /[^\x20-\x7e\r\n\t\f]/;
const NO_CONTROL = /[^\x20-\x7e]/;

function invalid(el: DicomElement, what: string): DicomWriteError {
  return new DicomWriteError('INVALID_VALUE', `${formatTag(el.tag)} ${el.vr}: ${what}`);
}

function stringValues(el: DicomElement, vr: StringVr): string[] {
  const v = el.value;
  if (v === null) return [];
  const list = typeof v === 'string' || typeof v === 'number' ? [v] : Array.isArray(v) ? (v as (string | number)[]) : undefined;
  if (!list) throw invalid(el, 'expected a string or a list of strings');
  return list.map((item) => {
    if (typeof item === 'number') {
      if (vr !== 'DS' && vr !== 'IS') throw invalid(el, `a number (${item}) is only accepted for DS and IS; pass a string`);
      try {
        return vr === 'DS' ? formatDecimalString(item) : formatIntegerString(item);
      } catch (err) {
        throw invalid(el, (err as Error).message);
      }
    }
    if (typeof item !== 'string') throw invalid(el, 'expected a string or a list of strings');
    return item;
  });
}

function checkPersonName(el: DicomElement, value: string): void {
  const groups = value.split('=');
  if (groups.length > 3) throw invalid(el, `'${value}' has more than 3 component groups`);
  for (const g of groups) {
    if (g.length > 64) throw invalid(el, `component group '${g}' is longer than 64 characters`);
    if (g.split('^').length > 5) throw invalid(el, `'${g}' has more than 5 components`);
  }
}

function checkString(el: DicomElement, vr: StringVr, value: string): void {
  const control = isSingleValuedText(vr) ? TEXT_CONTROL : NO_CONTROL;
  if (control.test(value)) throw invalid(el, `'${value}' has characters outside the default repertoire (printable ASCII)`);
  const max = MAX_STRING_LENGTH[vr];
  if (vr === 'PN') checkPersonName(el, value);
  else if (max !== undefined && value.length > max) {
    throw invalid(el, `'${value}' is ${value.length} characters; at most ${max} allowed`);
  }
  const pattern = VALUE_PATTERN[vr];
  if (pattern && !pattern.test(value)) throw invalid(el, `'${value}' is not a valid ${vr} value`);
}

function encodeString(el: DicomElement, vr: StringVr): Uint8Array {
  const values = stringValues(el, vr);
  if (isSingleValuedText(vr) && values.length > 1) throw invalid(el, `${vr} holds one value, got ${values.length}`);
  const parts = isSingleValuedText(vr) ? values : values.flatMap((v) => v.split('\\'));
  for (const p of parts) checkString(el, vr, p);
  // A UI value is NUL-padded; a trailing space would be part of the UID.
  const text = parts.join('\\');
  const bytes = new Uint8Array(text.length + (text.length % 2));
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  if (text.length % 2) bytes[text.length] = paddingByte(vr);
  return bytes;
}

const INTEGER_RANGE: Partial<Record<NumberVr, [number, number]>> = {
  US: [0, 0xffff], SS: [-0x8000, 0x7fff], UL: [0, 0xffffffff], SL: [-0x80000000, 0x7fffffff], AT: [0, 0xffffffff],
};

function encodeNumbers(el: DicomElement, vr: NumberVr, littleEndian: boolean): Uint8Array {
  const v = el.value;
  const list = v === null ? [] : typeof v === 'number' ? [v] : Array.isArray(v) ? v : undefined;
  if (!list || list.some((x) => typeof x !== 'number')) throw invalid(el, 'expected a number or a list of numbers');
  const size = valueSize(vr);
  const out = new Uint8Array(list.length * size);
  const view = new DataView(out.buffer);
  (list as number[]).forEach((x, i) => {
    const range = INTEGER_RANGE[vr];
    if (range && (!Number.isInteger(x) || x < range[0] || x > range[1])) {
      throw invalid(el, `${x} is not an integer in [${range[0]}, ${range[1]}]`);
    }
    const at = i * size;
    switch (vr) {
      case 'US': view.setUint16(at, x, littleEndian); break;
      case 'SS': view.setInt16(at, x, littleEndian); break;
      case 'UL': view.setUint32(at, x, littleEndian); break;
      case 'SL': view.setInt32(at, x, littleEndian); break;
      case 'FL': view.setFloat32(at, x, littleEndian); break;
      case 'FD': view.setFloat64(at, x, littleEndian); break;
      // A tag is two 16-bit numbers, group then element, each in the syntax's byte order.
      case 'AT': view.setUint16(at, x >>> 16, littleEndian); view.setUint16(at + 2, x & 0xffff, littleEndian); break;
    }
  });
  return out;
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function bytesOf(a: BinaryValue): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function encodeBinary(el: DicomElement, vr: BinaryVr, littleEndian: boolean): Uint8Array {
  const v = el.value;
  if (v === null) return new Uint8Array(0);
  if (!ArrayBuffer.isView(v)) throw invalid(el, 'expected a typed array');
  const size = valueSize(vr);
  if (v.BYTES_PER_ELEMENT !== size) {
    throw invalid(el, `${vr} needs ${size}-byte values, got a ${v.constructor.name}; pass the matching typed array`);
  }
  let bytes = bytesOf(v);
  if (size > 1 && littleEndian !== HOST_LITTLE_ENDIAN) {
    const swapped = new Uint8Array(bytes.length);
    for (let i = 0; i < bytes.length; i += size) {
      for (let b = 0; b < size; b++) swapped[i + b] = bytes[i + size - 1 - b]!;
    }
    bytes = swapped;
  }
  if (bytes.length % 2) {
    const padded = new Uint8Array(bytes.length + 1);
    padded.set(bytes);
    padded[bytes.length] = paddingByte(vr);
    return padded;
  }
  return bytes;
}

/**
 * The bytes of one element's value, even length, padded as its VR requires, in the given
 * byte order. Not for SQ (the data set encoder writes items itself).
 */
export function encodeValue(el: DicomElement, littleEndian: boolean): Uint8Array {
  const { vr } = el;
  if (isStringVr(vr)) return encodeString(el, vr);
  if (isNumberVr(vr)) return encodeNumbers(el, vr, littleEndian);
  if (isBinaryVr(vr)) return encodeBinary(el, vr, littleEndian);
  throw invalid(el, 'a sequence has no single value; encode it as items');
}
