import { DICTIONARY, type Keyword } from './dictionary.js';
import type { Vr } from './vr.js';

/** Native pixel samples or other binary values (OB, OW, OF, OD, OL, UN). */
export type BinaryValue = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/**
 * A value as the writer takes it:
 * - string VRs: a string or a list of strings (joined with `\`); numbers are accepted for DS/IS;
 * - numeric VRs (US, SS, UL, SL, FL, FD, AT as `group << 16 | element`): a number or a list;
 * - binary VRs: a typed array (its element size must match the VR for byte swapping);
 * - SQ: a list of items, each an ElementList;
 * - PixelData only: EncapsulatedFrames (compressed frames);
 * - `null`: an empty (zero-length) value, as type-2 attributes need.
 */
export type ElementValue =
  | string | number | readonly (string | number)[] | BinaryValue | readonly ElementList[] | EncapsulatedFrames | null;

/**
 * Already-compressed Pixel Data, one encoded frame per entry, for a data set written in the
 * matching encapsulated transfer syntax: the writer adds the Basic Offset Table, one fragment
 * per frame (padded to even length) and the delimiters.
 */
export interface EncapsulatedFrames {
  readonly kind: 'encapsulated';
  readonly frames: readonly Uint8Array[];
}

export interface DicomElement {
  /** `group << 16 | element`, e.g. 0x00100010 for PatientName. */
  readonly tag: number;
  readonly vr: Vr;
  readonly value: ElementValue;
}

/** A data set as the writer takes it; order does not matter (the writer sorts by tag). */
export type ElementList = DicomElement[];

/**
 * One element by keyword, its tag and VR from the writer's dictionary. PixelData of 8-bit
 * samples gets OB; of wider samples OW.
 */
export function element(keyword: Keyword, value: ElementValue): DicomElement {
  const [tag, vr] = DICTIONARY[keyword];
  if (keyword === 'PixelData' && (value instanceof Uint8Array || value instanceof Int8Array)) {
    return { tag, vr: 'OB', value };
  }
  return { tag, vr, value };
}

/** A data set from keyword/value pairs; `undefined` values are left out (attribute absent). */
export function dataSet(values: Partial<Record<Keyword, ElementValue | undefined>>): ElementList {
  const out: ElementList = [];
  for (const [k, v] of Object.entries(values) as [Keyword, ElementValue | undefined][]) {
    if (v !== undefined) out.push(element(k, v));
  }
  return out;
}
