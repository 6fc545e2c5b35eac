import type { DataSet } from 'dicom-parser';
import { DicomError } from './errors.js';
import { transferSyntaxName } from './uids.js';

/** Which point of the grayscale/colour pipeline `DicomImage.frame` returns (PS3.4 N.2). */
export type PixelStage = 'stored' | 'modality' | 'display';

/** The header attributes that describe an image and how to turn its pixels into values. */
export interface DicomInfo {
  file?: string;
  transferSyntaxUID: string;
  transferSyntaxName: string;
  sopClassUID?: string;
  modality?: string;
  rows: number;
  columns: number;
  numberOfFrames: number;
  samplesPerPixel: number;
  photometricInterpretation: string;
  planarConfiguration: 0 | 1;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  pixelRepresentation: 0 | 1;
  /** Of the top level, else the Shared, else frame 0's Per-frame Functional Groups; 1 when absent. */
  rescaleSlope: number;
  /** As rescaleSlope; 0 when absent. */
  rescaleIntercept: number;
  rescaleType?: string;
  /** Alternative VOI windows (DS, VM 1-n), same sources as rescaleSlope; empty when none. */
  windowCenter: number[];
  windowWidth: number[];
  voiLutFunction?: string;
  presentationLutShape?: string;
  /** Signed when PixelRepresentation is 1 (VR SS), else unsigned (US). */
  pixelPaddingValue?: number;
  pixelPaddingRangeLimit?: number;
  // Identifiers, for the dataset index (which hashes them; never logged).
  patientId?: string;
  studyInstanceUID?: string;
  seriesInstanceUID?: string;
  sopInstanceUID?: string;
  bodyPartExamined?: string;
  viewPosition?: string;
  seriesDescription?: string;
}

export const TAG = {
  sopClassUID: 'x00080016',
  sopInstanceUID: 'x00080018',
  modality: 'x00080060',
  seriesDescription: 'x0008103e',
  patientId: 'x00100020',
  bodyPartExamined: 'x00180015',
  viewPosition: 'x00185101',
  studyInstanceUID: 'x0020000d',
  seriesInstanceUID: 'x0020000e',
  samplesPerPixel: 'x00280002',
  photometricInterpretation: 'x00280004',
  planarConfiguration: 'x00280006',
  numberOfFrames: 'x00280008',
  rows: 'x00280010',
  columns: 'x00280011',
  bitsAllocated: 'x00280100',
  bitsStored: 'x00280101',
  highBit: 'x00280102',
  pixelRepresentation: 'x00280103',
  pixelPaddingValue: 'x00280120',
  pixelPaddingRangeLimit: 'x00280121',
  windowCenter: 'x00281050',
  windowWidth: 'x00281051',
  rescaleIntercept: 'x00281052',
  rescaleSlope: 'x00281053',
  rescaleType: 'x00281054',
  voiLutFunction: 'x00281056',
  redPaletteDescriptor: 'x00281101',
  greenPaletteDescriptor: 'x00281102',
  bluePaletteDescriptor: 'x00281103',
  redPaletteData: 'x00281201',
  greenPaletteData: 'x00281202',
  bluePaletteData: 'x00281203',
  segmentedRedPaletteData: 'x00281221',
  segmentedGreenPaletteData: 'x00281222',
  segmentedBluePaletteData: 'x00281223',
  modalityLutSequence: 'x00283000',
  lutDescriptor: 'x00283002',
  lutData: 'x00283006',
  voiLutSequence: 'x00283010',
  frameVoiLutSequence: 'x00289132',
  pixelValueTransformationSequence: 'x00289145',
  presentationLutShape: 'x20500020',
  sharedFunctionalGroups: 'x52009229',
  perFrameFunctionalGroups: 'x52009230',
  pixelData: 'x7fe00010',
} as const;

/** A trimmed string value, undefined when absent or empty. */
export function stringValue(ds: DataSet, tag: string): string | undefined {
  const v = ds.elements[tag] ? ds.string(tag) : undefined;
  return v === undefined || v === '' ? undefined : v;
}

/** All values of a multi-valued DS/IS element; empty when absent. Unparseable values are refused. */
export function decimalValues(ds: DataSet, tag: string): number[] {
  const el = ds.elements[tag];
  if (!el || el.length === 0) return [];
  const n = ds.numStringValues(tag) ?? 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const raw = ds.string(tag, i);
    if (raw === undefined || raw === '') continue;
    const v = Number(raw);
    if (!Number.isFinite(v)) {
      throw new DicomError('INVALID_ATTRIBUTE', `(${tag.slice(1, 5)},${tag.slice(5)}) value '${raw}' is not a number`);
    }
    out.push(v);
  }
  return out;
}

/** First value of a DS/IS element, or undefined. */
export function decimalValue(ds: DataSet, tag: string): number | undefined {
  return decimalValues(ds, tag)[0];
}

/**
 * A US (or SS when `signed`) value. Implicit VR files do not say which, so the 16 bits are
 * read unsigned and reinterpreted (PS3.5 §6.2: US/SS ambiguity resolved by Pixel Representation).
 */
export function ushortValue(ds: DataSet, tag: string, signed = false, index = 0): number | undefined {
  const el = ds.elements[tag];
  if (!el || el.length < 2 * (index + 1)) return undefined;
  const v = ds.uint16(tag, index);
  if (v === undefined) return undefined;
  return signed && v > 0x7fff ? v - 0x10000 : v;
}

/** The first item's data set of a sequence element, or undefined. */
export function firstItem(ds: DataSet | undefined, tag: string): DataSet | undefined {
  return ds?.elements[tag]?.items?.[0]?.dataSet;
}

/** Item `index` of a sequence element, or undefined. */
export function item(ds: DataSet | undefined, tag: string, index: number): DataSet | undefined {
  return ds?.elements[tag]?.items?.[index]?.dataSet;
}

function required(ds: DataSet, tag: string, name: string, file: string | undefined): number {
  const v = ushortValue(ds, tag);
  if (v === undefined) {
    throw new DicomError('INVALID_ATTRIBUTE', `${name} (${tag.slice(1, 5)},${tag.slice(5)}) is missing; the image cannot be decoded without it`, { file });
  }
  return v;
}

/** Rescale and window attributes found at one level (top, shared or per-frame functional group). */
export interface PixelTransform {
  rescaleSlope?: number;
  rescaleIntercept?: number;
  rescaleType?: string;
  windowCenter: number[];
  windowWidth: number[];
  voiLutFunction?: string;
}

function transformAt(ds: DataSet | undefined): PixelTransform {
  if (!ds) return { windowCenter: [], windowWidth: [] };
  return {
    rescaleSlope: decimalValue(ds, TAG.rescaleSlope),
    rescaleIntercept: decimalValue(ds, TAG.rescaleIntercept),
    rescaleType: stringValue(ds, TAG.rescaleType),
    windowCenter: decimalValues(ds, TAG.windowCenter),
    windowWidth: decimalValues(ds, TAG.windowWidth),
    voiLutFunction: stringValue(ds, TAG.voiLutFunction),
  };
}

/**
 * Rescale and window for one frame (PS3.3 C.7.6.16): a Per-frame Functional Group overrides the
 * Shared one, which overrides the top-level Modality LUT / VOI LUT modules.
 */
export function frameTransform(ds: DataSet, frame: number): PixelTransform {
  const top = transformAt(ds);
  const levels = [TAG.sharedFunctionalGroups, TAG.perFrameFunctionalGroups].map((tag) => {
    const group = tag === TAG.sharedFunctionalGroups ? item(ds, tag, 0) : item(ds, tag, frame);
    return {
      pvt: transformAt(firstItem(group, TAG.pixelValueTransformationSequence)),
      voi: transformAt(firstItem(group, TAG.frameVoiLutSequence)),
    };
  });
  const out = { ...top };
  for (const { pvt, voi } of levels) {
    if (pvt.rescaleSlope !== undefined) out.rescaleSlope = pvt.rescaleSlope;
    if (pvt.rescaleIntercept !== undefined) out.rescaleIntercept = pvt.rescaleIntercept;
    if (pvt.rescaleType !== undefined) out.rescaleType = pvt.rescaleType;
    if (voi.windowCenter.length > 0 && voi.windowWidth.length > 0) {
      out.windowCenter = voi.windowCenter;
      out.windowWidth = voi.windowWidth;
      out.voiLutFunction = voi.voiLutFunction;
    }
  }
  return out;
}

/**
 * Reads the image attributes of a parsed data set.
 * Throws DicomError NO_PIXEL_DATA for non-image objects and INVALID_ATTRIBUTE for impossible values.
 */
export function readInfo(ds: DataSet, transferSyntaxUID: string, file?: string): DicomInfo {
  if (!ds.elements[TAG.pixelData] && (ds.elements['x7fe00008'] || ds.elements['x7fe00009'])) {
    throw new DicomError('UNSUPPORTED_PIXEL_FORMAT', 'Float / Double Float Pixel Data (7FE0,0008/0009) is not supported; only integer Pixel Data (7FE0,0010) is', { file });
  }
  if (!ds.elements[TAG.pixelData]) {
    const sop = stringValue(ds, TAG.sopClassUID);
    throw new DicomError('NO_PIXEL_DATA', `no Pixel Data (7FE0,0010)${sop ? ` in this SOP class ${sop}` : ''}: not an image, nothing to decode`, { file });
  }
  const rows = required(ds, TAG.rows, 'Rows', file);
  const columns = required(ds, TAG.columns, 'Columns', file);
  const bitsAllocated = required(ds, TAG.bitsAllocated, 'Bits Allocated', file);
  const bitsStored = ushortValue(ds, TAG.bitsStored) ?? bitsAllocated;
  const highBit = ushortValue(ds, TAG.highBit) ?? bitsStored - 1;
  const pixelRepresentation = ushortValue(ds, TAG.pixelRepresentation) ?? 0;
  const samplesPerPixel = ushortValue(ds, TAG.samplesPerPixel) ?? 1;
  const frames = decimalValue(ds, TAG.numberOfFrames) ?? 1;
  const photometric = (stringValue(ds, TAG.photometricInterpretation) ?? (samplesPerPixel === 3 ? 'RGB' : 'MONOCHROME2')).toUpperCase();
  const bad = (what: string): never => {
    throw new DicomError('INVALID_ATTRIBUTE', `${what}; the header is inconsistent, check how the file was written`, { file });
  };
  if (rows === 0 || columns === 0) bad(`Rows × Columns is ${rows} × ${columns}`);
  if (!(bitsAllocated === 1 || (bitsAllocated % 8 === 0 && bitsAllocated <= 32))) bad(`Bits Allocated is ${bitsAllocated} (must be 1, 8, 16, 24 or 32)`);
  if (bitsStored < 1 || bitsStored > bitsAllocated) bad(`Bits Stored ${bitsStored} is not in 1..Bits Allocated (${bitsAllocated})`);
  if (highBit < bitsStored - 1 || highBit >= bitsAllocated) bad(`High Bit ${highBit} does not fit Bits Stored ${bitsStored} in Bits Allocated ${bitsAllocated}`);
  if (pixelRepresentation !== 0 && pixelRepresentation !== 1) bad(`Pixel Representation is ${pixelRepresentation} (must be 0 or 1)`);
  if (samplesPerPixel !== 1 && samplesPerPixel !== 3 && samplesPerPixel !== 4) bad(`Samples per Pixel is ${samplesPerPixel}`);
  if (!Number.isInteger(frames) || frames < 1) bad(`Number of Frames is ${frames}`);

  const signed = pixelRepresentation === 1;
  const transform = frameTransform(ds, 0);
  const info: DicomInfo = {
    file,
    transferSyntaxUID,
    transferSyntaxName: transferSyntaxName(transferSyntaxUID),
    sopClassUID: stringValue(ds, TAG.sopClassUID),
    modality: stringValue(ds, TAG.modality),
    rows,
    columns,
    numberOfFrames: frames,
    samplesPerPixel,
    photometricInterpretation: photometric,
    planarConfiguration: samplesPerPixel > 1 && ushortValue(ds, TAG.planarConfiguration) === 1 ? 1 : 0,
    bitsAllocated,
    bitsStored,
    highBit,
    pixelRepresentation: pixelRepresentation as 0 | 1,
    rescaleSlope: transform.rescaleSlope ?? 1,
    rescaleIntercept: transform.rescaleIntercept ?? 0,
    rescaleType: transform.rescaleType,
    windowCenter: transform.windowCenter,
    windowWidth: transform.windowWidth,
    voiLutFunction: transform.voiLutFunction,
    presentationLutShape: stringValue(ds, TAG.presentationLutShape),
    pixelPaddingValue: ushortValue(ds, TAG.pixelPaddingValue, signed),
    pixelPaddingRangeLimit: ushortValue(ds, TAG.pixelPaddingRangeLimit, signed),
    patientId: stringValue(ds, TAG.patientId),
    studyInstanceUID: stringValue(ds, TAG.studyInstanceUID),
    seriesInstanceUID: stringValue(ds, TAG.seriesInstanceUID),
    sopInstanceUID: stringValue(ds, TAG.sopInstanceUID),
    bodyPartExamined: stringValue(ds, TAG.bodyPartExamined),
    viewPosition: stringValue(ds, TAG.viewPosition),
    seriesDescription: stringValue(ds, TAG.seriesDescription),
  };
  if (file === undefined) delete info.file;
  return info;
}
