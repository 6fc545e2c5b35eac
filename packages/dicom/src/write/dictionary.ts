import type { Vr } from './vr.js';

/**
 * The attributes fedcl writes, keyword → [tag, VR], from PS3.6 (Registry of DICOM Data
 * Elements). Small on purpose: a writer that only knows what it writes cannot put a wrong VR
 * on an attribute it has never checked. Add a line (checked against PS3.6) to write a new one.
 */
export const DICTIONARY = {
  FileMetaInformationGroupLength: [0x00020000, 'UL'],
  FileMetaInformationVersion: [0x00020001, 'OB'],
  MediaStorageSOPClassUID: [0x00020002, 'UI'],
  MediaStorageSOPInstanceUID: [0x00020003, 'UI'],
  TransferSyntaxUID: [0x00020010, 'UI'],
  ImplementationClassUID: [0x00020012, 'UI'],
  ImplementationVersionName: [0x00020013, 'SH'],
  SourceApplicationEntityTitle: [0x00020016, 'AE'],

  SpecificCharacterSet: [0x00080005, 'CS'],
  ImageType: [0x00080008, 'CS'],
  InstanceCreationDate: [0x00080012, 'DA'],
  InstanceCreationTime: [0x00080013, 'TM'],
  SOPClassUID: [0x00080016, 'UI'],
  SOPInstanceUID: [0x00080018, 'UI'],
  StudyDate: [0x00080020, 'DA'],
  SeriesDate: [0x00080021, 'DA'],
  AcquisitionDate: [0x00080022, 'DA'],
  ContentDate: [0x00080023, 'DA'],
  StudyTime: [0x00080030, 'TM'],
  SeriesTime: [0x00080031, 'TM'],
  AcquisitionTime: [0x00080032, 'TM'],
  ContentTime: [0x00080033, 'TM'],
  AccessionNumber: [0x00080050, 'SH'],
  Modality: [0x00080060, 'CS'],
  PresentationIntentType: [0x00080068, 'CS'],
  Manufacturer: [0x00080070, 'LO'],
  InstitutionName: [0x00080080, 'LO'],
  ReferringPhysicianName: [0x00080090, 'PN'],
  CodeValue: [0x00080100, 'SH'],
  CodingSchemeDesignator: [0x00080102, 'SH'],
  CodeMeaning: [0x00080104, 'LO'],
  StationName: [0x00081010, 'SH'],
  StudyDescription: [0x00081030, 'LO'],
  SeriesDescription: [0x0008103e, 'LO'],
  ManufacturerModelName: [0x00081090, 'LO'],
  AnatomicRegionSequence: [0x00082218, 'SQ'],

  PatientName: [0x00100010, 'PN'],
  PatientID: [0x00100020, 'LO'],
  PatientBirthDate: [0x00100030, 'DA'],
  PatientSex: [0x00100040, 'CS'],
  PatientAge: [0x00101010, 'AS'],
  PatientWeight: [0x00101030, 'DS'],

  BodyPartExamined: [0x00180015, 'CS'],
  ScanningSequence: [0x00180020, 'CS'],
  SequenceVariant: [0x00180021, 'CS'],
  ScanOptions: [0x00180022, 'CS'],
  MRAcquisitionType: [0x00180023, 'CS'],
  SliceThickness: [0x00180050, 'DS'],
  KVP: [0x00180060, 'DS'],
  RepetitionTime: [0x00180080, 'DS'],
  EchoTime: [0x00180081, 'DS'],
  ImagingFrequency: [0x00180084, 'DS'],
  MagneticFieldStrength: [0x00180087, 'DS'],
  SpacingBetweenSlices: [0x00180088, 'DS'],
  EchoTrainLength: [0x00180091, 'IS'],
  DeviceSerialNumber: [0x00181000, 'LO'],
  SoftwareVersions: [0x00181020, 'LO'],
  ProtocolName: [0x00181030, 'LO'],
  DistanceSourceToDetector: [0x00181110, 'DS'],
  ExposureTime: [0x00181150, 'IS'],
  XRayTubeCurrent: [0x00181151, 'IS'],
  Exposure: [0x00181152, 'IS'],
  ImagerPixelSpacing: [0x00181164, 'DS'],
  FlipAngle: [0x00181314, 'DS'],
  PatientPosition: [0x00185100, 'CS'],
  ViewPosition: [0x00185101, 'CS'],
  DetectorType: [0x00187004, 'CS'],

  StudyInstanceUID: [0x0020000d, 'UI'],
  SeriesInstanceUID: [0x0020000e, 'UI'],
  StudyID: [0x00200010, 'SH'],
  SeriesNumber: [0x00200011, 'IS'],
  AcquisitionNumber: [0x00200012, 'IS'],
  InstanceNumber: [0x00200013, 'IS'],
  PatientOrientation: [0x00200020, 'CS'],
  ImagePositionPatient: [0x00200032, 'DS'],
  ImageOrientationPatient: [0x00200037, 'DS'],
  FrameOfReferenceUID: [0x00200052, 'UI'],
  Laterality: [0x00200060, 'CS'],
  ImageLaterality: [0x00200062, 'CS'],
  PositionReferenceIndicator: [0x00201040, 'LO'],
  SliceLocation: [0x00201041, 'DS'],
  ImageComments: [0x00204000, 'LT'],

  SamplesPerPixel: [0x00280002, 'US'],
  PhotometricInterpretation: [0x00280004, 'CS'],
  NumberOfFrames: [0x00280008, 'IS'],
  Rows: [0x00280010, 'US'],
  Columns: [0x00280011, 'US'],
  PixelSpacing: [0x00280030, 'DS'],
  BitsAllocated: [0x00280100, 'US'],
  BitsStored: [0x00280101, 'US'],
  HighBit: [0x00280102, 'US'],
  PixelRepresentation: [0x00280103, 'US'],
  BurnedInAnnotation: [0x00280301, 'CS'],
  PixelIntensityRelationship: [0x00281040, 'CS'],
  PixelIntensityRelationshipSign: [0x00281041, 'SS'],
  WindowCenter: [0x00281050, 'DS'],
  WindowWidth: [0x00281051, 'DS'],
  RescaleIntercept: [0x00281052, 'DS'],
  RescaleSlope: [0x00281053, 'DS'],
  RescaleType: [0x00281054, 'LO'],
  WindowCenterWidthExplanation: [0x00281055, 'LO'],
  LossyImageCompression: [0x00282110, 'CS'],
  PresentationLUTShape: [0x20500020, 'CS'],

  PixelData: [0x7fe00010, 'OW'],
} as const satisfies Record<string, readonly [number, Vr]>;

export type Keyword = keyof typeof DICTIONARY;

const BY_TAG: ReadonlyMap<number, Keyword> = new Map(
  (Object.keys(DICTIONARY) as Keyword[]).map((k) => [DICTIONARY[k][0], k]),
);

/** The keyword of a tag the writer knows, or undefined. */
export function keywordOf(tag: number): Keyword | undefined {
  return BY_TAG.get(tag);
}

/** `(gggg,eeee)` for messages. */
export function formatTag(tag: number): string {
  const hex = (tag >>> 0).toString(16).toUpperCase().padStart(8, '0');
  return `(${hex.slice(0, 4)},${hex.slice(4)})`;
}
