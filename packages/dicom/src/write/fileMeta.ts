import { dataSet } from './element.js';
import { encodeDataSet } from './encodeDataSet.js';
import { FEDCL_IMPLEMENTATION_CLASS_UID, FEDCL_IMPLEMENTATION_VERSION_NAME } from './uid.js';

export interface FileMetaFields {
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  /** (0002,0016) the AE title of the writer, when there is one. */
  sourceAeTitle?: string;
}

/**
 * The File Meta Information group (PS3.10 §7.1): always explicit VR little endian, led by its
 * group length (the byte count of every element after it), version 00\01, and fedcl's
 * Implementation Class UID and Version Name.
 */
export function encodeFileMeta(fields: FileMetaFields): Uint8Array {
  const rest = encodeDataSet(
    dataSet({
      FileMetaInformationVersion: Uint8Array.of(0x00, 0x01),
      MediaStorageSOPClassUID: fields.sopClassUid,
      MediaStorageSOPInstanceUID: fields.sopInstanceUid,
      TransferSyntaxUID: fields.transferSyntaxUid,
      ImplementationClassUID: FEDCL_IMPLEMENTATION_CLASS_UID,
      ImplementationVersionName: FEDCL_IMPLEMENTATION_VERSION_NAME,
      SourceApplicationEntityTitle: fields.sourceAeTitle,
    }),
    { explicitVr: true, littleEndian: true },
  );
  const groupLength = encodeDataSet(dataSet({ FileMetaInformationGroupLength: rest.length }), { explicitVr: true, littleEndian: true });
  const out = new Uint8Array(groupLength.length + rest.length);
  out.set(groupLength);
  out.set(rest, groupLength.length);
  return out;
}
