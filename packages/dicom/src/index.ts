export { DicomError, isDicomError, type DicomErrorCode } from './errors.js';
export type { FrameInfo, DecodedFrame, FrameDecoder, SampleArray } from './codecs/types.js';
