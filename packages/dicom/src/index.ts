export { DicomError, isDicomError, type DicomErrorCode } from './errors.js';
export type { FrameInfo, DecodedFrame, FrameDecoder, SampleArray } from './codecs/types.js';
export { parseDicom, readDicomFile, type ParseOptions } from './parse.js';
export { DicomImage } from './image.js';
export type { DicomInfo, PixelStage } from './attributes.js';
export { transferSyntax, transferSyntaxName, type TransferSyntax } from './uids.js';
export { decodeFrame, isEncapsulatedSyntax, supportedTransferSyntaxes } from './codecs/index.js';
export { encapsulatedFrame } from './frames.js';
