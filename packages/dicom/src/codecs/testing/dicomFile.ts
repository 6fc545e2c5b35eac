/** Test support: reads a DICOM file's encapsulated frames and their FrameInfo with dicom-parser. */
import { readFileSync } from 'node:fs';
import dicomParser from 'dicom-parser';
import { encapsulatedFrame } from '../../frames.js';
import type { FrameInfo } from '../types.js';

export interface EncapsulatedFile {
  transferSyntax: string;
  info: FrameInfo;
  numberOfFrames: number;
  frames: Uint8Array[];
  byteArray: Uint8Array;
  dataSet: dicomParser.DataSet;
}

export function readEncapsulated(path: string): EncapsulatedFile {
  const byteArray = new Uint8Array(readFileSync(path));
  const dataSet = dicomParser.parseDicom(byteArray);
  const u16 = (tag: string) => dataSet.uint16(tag) ?? 0;
  const info: FrameInfo = {
    rows: u16('x00280010'),
    columns: u16('x00280011'),
    samplesPerPixel: u16('x00280002') || 1,
    bitsAllocated: u16('x00280100'),
    bitsStored: u16('x00280101'),
    highBit: u16('x00280102'),
    pixelRepresentation: u16('x00280103') === 1 ? 1 : 0,
    photometricInterpretation: (dataSet.string('x00280004') ?? '').trim(),
    planarConfiguration: u16('x00280006') === 1 ? 1 : 0,
  };
  const numberOfFrames = dataSet.intString('x00280008') ?? 1;
  const frames = Array.from({ length: numberOfFrames }, (_, i) => encapsulatedFrame(byteArray, dataSet, i, numberOfFrames));
  return { transferSyntax: (dataSet.string('x00020010') ?? '').trim(), info, numberOfFrames, frames, byteArray, dataSet };
}
