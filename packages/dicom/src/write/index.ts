export { writeDicom, type WriteDicomOptions } from './writeDicom.js';
export { element, dataSet, type DicomElement, type ElementList, type ElementValue, type EncapsulatedFrames, type BinaryValue } from './element.js';
export { DICTIONARY, keywordOf, formatTag, type Keyword } from './dictionary.js';
export { DicomWriteError, type DicomWriteErrorCode } from './errors.js';
export { WRITABLE_TRANSFER_SYNTAXES, transferSyntaxLayout, isWritableTransferSyntax, type WritableTransferSyntaxUid } from './transferSyntax.js';
export { uidFromName, uidFromUuid, randomUid, FEDCL_IMPLEMENTATION_CLASS_UID, FEDCL_IMPLEMENTATION_VERSION_NAME } from './uid.js';
export { loadPixelEncoders } from './wasmEncoders.js';
export { encodeRleFrame } from './rle.js';
export type { Vr } from './vr.js';
