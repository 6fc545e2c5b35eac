/**
 * Transfer syntaxes (PS3.5 §10, PS3.6 Annex A) and how the parser and pixel pipeline treat them.
 */

export interface TransferSyntax {
  uid: string;
  name: string;
  /** Data set VR encoding. */
  explicitVR: boolean;
  littleEndian: boolean;
  /** The data set after the File Meta group is deflated (RFC 1951). */
  deflated: boolean;
  /** Pixel data is encapsulated (fragments in items) and needs a codec. */
  encapsulated: boolean;
}

export const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
export const DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1.99';
export const EXPLICIT_VR_BIG_ENDIAN = '1.2.840.10008.1.2.2';
export const ENCAPSULATED_UNCOMPRESSED = '1.2.840.10008.1.2.1.98';

const native = (uid: string, name: string, explicitVR: boolean, littleEndian: boolean, deflated = false): TransferSyntax => ({
  uid, name, explicitVR, littleEndian, deflated, encapsulated: false,
});
const encapsulated = (uid: string, name: string): TransferSyntax => ({
  uid, name, explicitVR: true, littleEndian: true, deflated: false, encapsulated: true,
});

const TABLE: readonly TransferSyntax[] = [
  native(IMPLICIT_VR_LITTLE_ENDIAN, 'Implicit VR Little Endian', false, true),
  native(EXPLICIT_VR_LITTLE_ENDIAN, 'Explicit VR Little Endian', true, true),
  encapsulated(ENCAPSULATED_UNCOMPRESSED, 'Encapsulated Uncompressed Explicit VR Little Endian'),
  native(DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN, 'Deflated Explicit VR Little Endian', true, true, true),
  native(EXPLICIT_VR_BIG_ENDIAN, 'Explicit VR Big Endian', true, false),
  encapsulated('1.2.840.10008.1.2.4.50', 'JPEG Baseline (Process 1)'),
  encapsulated('1.2.840.10008.1.2.4.51', 'JPEG Extended (Process 2 & 4)'),
  encapsulated('1.2.840.10008.1.2.4.57', 'JPEG Lossless, Non-Hierarchical (Process 14)'),
  encapsulated('1.2.840.10008.1.2.4.70', 'JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])'),
  encapsulated('1.2.840.10008.1.2.4.80', 'JPEG-LS Lossless Image Compression'),
  encapsulated('1.2.840.10008.1.2.4.81', 'JPEG-LS Lossy (Near-Lossless) Image Compression'),
  encapsulated('1.2.840.10008.1.2.4.90', 'JPEG 2000 Image Compression (Lossless Only)'),
  encapsulated('1.2.840.10008.1.2.4.91', 'JPEG 2000 Image Compression'),
  encapsulated('1.2.840.10008.1.2.4.201', 'High-Throughput JPEG 2000 Image Compression (Lossless Only)'),
  encapsulated('1.2.840.10008.1.2.4.202', 'High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)'),
  encapsulated('1.2.840.10008.1.2.4.203', 'High-Throughput JPEG 2000 Image Compression'),
  encapsulated('1.2.840.10008.1.2.5', 'RLE Lossless'),
];

const BY_UID = new Map(TABLE.map((ts) => [ts.uid, ts]));

/** Looks up a transfer syntax; undefined for UIDs this package does not know. */
export function transferSyntax(uid: string): TransferSyntax | undefined {
  return BY_UID.get(uid);
}

/** Human name of a transfer syntax UID, or 'Unknown (<uid>)'. */
export function transferSyntaxName(uid: string): string {
  return BY_UID.get(uid)?.name ?? `Unknown (${uid})`;
}
