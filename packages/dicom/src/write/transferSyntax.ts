import { DicomWriteError } from './errors.js';

/** The transfer syntaxes `writeDicom` can produce (PS3.5 §10 and Annex A). */
export const WRITABLE_TRANSFER_SYNTAXES = {
  implicitVrLittleEndian: '1.2.840.10008.1.2',
  explicitVrLittleEndian: '1.2.840.10008.1.2.1',
  deflatedExplicitVrLittleEndian: '1.2.840.10008.1.2.1.99',
  explicitVrBigEndian: '1.2.840.10008.1.2.2',
  rleLossless: '1.2.840.10008.1.2.5',
  jpegLsLossless: '1.2.840.10008.1.2.4.80',
  jpeg2000Lossless: '1.2.840.10008.1.2.4.90',
} as const;

export type WritableTransferSyntaxUid = (typeof WRITABLE_TRANSFER_SYNTAXES)[keyof typeof WRITABLE_TRANSFER_SYNTAXES];

/** How the data set after the File Meta group is laid out. */
export interface TransferSyntaxLayout {
  explicitVr: boolean;
  littleEndian: boolean;
  /** The data set is deflated (raw RFC 1951) after encoding as explicit VR little endian. */
  deflated: boolean;
  /** Pixel data is encapsulated with this codec; undefined for native pixel data. */
  codec: 'rle' | 'jpeg-ls' | 'jpeg2000' | undefined;
}

const LAYOUTS: Readonly<Record<WritableTransferSyntaxUid, TransferSyntaxLayout>> = {
  '1.2.840.10008.1.2': { explicitVr: false, littleEndian: true, deflated: false, codec: undefined },
  '1.2.840.10008.1.2.1': { explicitVr: true, littleEndian: true, deflated: false, codec: undefined },
  '1.2.840.10008.1.2.1.99': { explicitVr: true, littleEndian: true, deflated: true, codec: undefined },
  '1.2.840.10008.1.2.2': { explicitVr: true, littleEndian: false, deflated: false, codec: undefined },
  '1.2.840.10008.1.2.5': { explicitVr: true, littleEndian: true, deflated: false, codec: 'rle' },
  '1.2.840.10008.1.2.4.80': { explicitVr: true, littleEndian: true, deflated: false, codec: 'jpeg-ls' },
  '1.2.840.10008.1.2.4.90': { explicitVr: true, littleEndian: true, deflated: false, codec: 'jpeg2000' },
};

export function isWritableTransferSyntax(uid: string): uid is WritableTransferSyntaxUid {
  return Object.hasOwn(LAYOUTS, uid);
}

/** The layout of a writable transfer syntax; throws for any other UID, listing those it can write. */
export function transferSyntaxLayout(uid: string): TransferSyntaxLayout {
  if (!isWritableTransferSyntax(uid)) {
    throw new DicomWriteError(
      'UNSUPPORTED_TRANSFER_SYNTAX',
      `cannot write transfer syntax '${uid}'; use one of ${Object.values(WRITABLE_TRANSFER_SYNTAXES).join(', ')}`,
    );
  }
  return LAYOUTS[uid];
}
