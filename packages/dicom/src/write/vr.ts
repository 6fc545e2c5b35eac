/**
 * Value Representations the writer can encode, with the PS3.5 rules that decide how
 * each is laid out: length-field size in explicit VR (Table 7.1-1/7.1-2), padding byte
 * (§6.2), maximum value length and the per-value byte size used for byte swapping.
 */

export type StringVr =
  | 'AE' | 'AS' | 'CS' | 'DA' | 'DS' | 'DT' | 'IS' | 'LO' | 'LT' | 'PN' | 'SH' | 'ST' | 'TM' | 'UC' | 'UI' | 'UR' | 'UT';
export type NumberVr = 'US' | 'SS' | 'UL' | 'SL' | 'FL' | 'FD' | 'AT';
export type BinaryVr = 'OB' | 'OW' | 'OF' | 'OD' | 'OL' | 'UN';
export type Vr = StringVr | NumberVr | BinaryVr | 'SQ';

const STRING_VRS: ReadonlySet<string> = new Set<StringVr>([
  'AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT',
]);
const NUMBER_VRS: ReadonlySet<string> = new Set<NumberVr>(['US', 'SS', 'UL', 'SL', 'FL', 'FD', 'AT']);
const BINARY_VRS: ReadonlySet<string> = new Set<BinaryVr>(['OB', 'OW', 'OF', 'OD', 'OL', 'UN']);

/** VRs whose explicit-VR header has 2 reserved bytes and a 4-byte length (PS3.5 Table 7.1-1). */
const LONG_LENGTH_VRS: ReadonlySet<string> = new Set(['OB', 'OD', 'OF', 'OL', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT']);

export function isStringVr(vr: Vr): vr is StringVr {
  return STRING_VRS.has(vr);
}
export function isNumberVr(vr: Vr): vr is NumberVr {
  return NUMBER_VRS.has(vr);
}
export function isBinaryVr(vr: Vr): vr is BinaryVr {
  return BINARY_VRS.has(vr);
}
export function isVr(s: string): s is Vr {
  return STRING_VRS.has(s) || NUMBER_VRS.has(s) || BINARY_VRS.has(s) || s === 'SQ';
}

/** True when the explicit-VR element header uses the 12-byte form with a 32-bit length. */
export function hasLongLength(vr: Vr): boolean {
  return LONG_LENGTH_VRS.has(vr);
}

/** The byte appended to an odd-length value: NUL for UI and binary VRs, space for text (PS3.5 §6.2). */
export function paddingByte(vr: Vr): number {
  return vr === 'UI' || isBinaryVr(vr) ? 0x00 : 0x20;
}

/**
 * Maximum length in characters of ONE value of a string VR (PS3.5 Table 6.2-1); for PN it is
 * per component group. `undefined` means limited only by the length field.
 */
export const MAX_STRING_LENGTH: Readonly<Partial<Record<StringVr, number>>> = {
  AE: 16, AS: 4, CS: 16, DA: 8, DS: 16, DT: 26, IS: 12, LO: 64, LT: 10240, PN: 64, SH: 16, ST: 1024, TM: 14, UI: 64,
};

/** VRs whose value is a single free text that may contain backslashes (no value multiplicity). */
export function isSingleValuedText(vr: StringVr): boolean {
  return vr === 'LT' || vr === 'ST' || vr === 'UT' || vr === 'UR';
}

/** Size in bytes of one numeric value, the unit of byte swapping for big endian. */
export function valueSize(vr: NumberVr | BinaryVr): number {
  switch (vr) {
    case 'US': case 'SS': case 'OW': case 'AT': return 2;
    case 'UL': case 'SL': case 'FL': case 'OF': case 'OL': return 4;
    case 'FD': case 'OD': return 8;
    case 'OB': case 'UN': return 1;
  }
}
