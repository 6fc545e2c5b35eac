import { dataSet, element, type ElementList } from '../write/element.js';
import type { Acquired } from './acquire.js';
import type { SiteProfile } from './siteProfiles.js';

export const SOP_CLASS = {
  CR: '1.2.840.10008.5.1.4.1.1.1',
  DX: '1.2.840.10008.5.1.4.1.1.1.1',
  MR: '1.2.840.10008.5.1.4.1.1.4',
} as const;

/** The patient/study/series/instance identity of one synthetic image (all obviously fake). */
export interface ImageIdentity {
  patientName: string;
  patientId: string;
  birthDate: string;
  sex: 'F' | 'M';
  age: string;
  studyUid: string;
  seriesUid: string;
  instanceUid: string;
  frameOfReferenceUid: string;
  studyId: string;
  accession: string;
  studyDate: string;
  studyTime: string;
  seriesNumber: number;
  instanceNumber: number;
}

const COMMENT = 'SYNTHETIC PHANTOM - NOT A REAL PATIENT (fedcl demo-data)';

function common(site: SiteProfile, id: ImageIdentity): Parameters<typeof dataSet>[0] {
  return {
    InstanceCreationDate: id.studyDate,
    InstanceCreationTime: id.studyTime,
    SOPInstanceUID: id.instanceUid,
    StudyDate: id.studyDate,
    SeriesDate: id.studyDate,
    ContentDate: id.studyDate,
    StudyTime: id.studyTime,
    SeriesTime: id.studyTime,
    ContentTime: id.studyTime,
    AccessionNumber: id.accession,
    Manufacturer: site.manufacturer,
    InstitutionName: site.institution,
    ReferringPhysicianName: null,
    StationName: site.id.toUpperCase().replace('-', ''),
    ManufacturerModelName: site.model,
    DeviceSerialNumber: `SN-${site.id.toUpperCase()}`,
    SoftwareVersions: 'fedcl-synth 0.1',
    PatientName: id.patientName,
    PatientID: id.patientId,
    PatientBirthDate: id.birthDate,
    PatientSex: id.sex,
    PatientAge: id.age,
    StudyInstanceUID: id.studyUid,
    SeriesInstanceUID: id.seriesUid,
    StudyID: id.studyId,
    SeriesNumber: id.seriesNumber,
    AcquisitionNumber: 1,
    InstanceNumber: id.instanceNumber,
    ImageComments: COMMENT,
    BurnedInAnnotation: 'NO',
    SamplesPerPixel: 1,
    BitsAllocated: 16,
    LossyImageCompression: '00',
  };
}

/** The attributes of a chest X-ray (DX For Presentation or CR), per the site's X-ray profile. */
export function xrayDataSet(site: SiteProfile, id: ImageIdentity, size: number, img: Acquired): ElementList {
  const x = site.xray;
  const spacing = 430 / size;
  const dx = x.modality === 'DX';
  return [
    ...dataSet({
      ...common(site, id),
      SOPClassUID: SOP_CLASS[x.modality],
      ImageType: ['ORIGINAL', 'PRIMARY'],
      Modality: x.modality,
      PresentationIntentType: dx ? 'FOR PRESENTATION' : undefined,
      StudyDescription: 'CHEST PA',
      SeriesDescription: 'PA',
      BodyPartExamined: 'CHEST',
      KVP: 120,
      DistanceSourceToDetector: 1800,
      ExposureTime: 8,
      XRayTubeCurrent: 320,
      Exposure: 3,
      ImagerPixelSpacing: [spacing, spacing],
      PixelSpacing: [spacing, spacing],
      ViewPosition: 'PA',
      PatientOrientation: ['L', 'F'],
      DetectorType: dx ? 'SCINTILLATOR' : undefined,
      ImageLaterality: dx ? 'U' : undefined,
      PhotometricInterpretation: x.photometric,
      Rows: size,
      Columns: size,
      BitsStored: x.bitsStored,
      HighBit: x.bitsStored - 1,
      PixelRepresentation: 0,
      PixelIntensityRelationship: 'LOG',
      // +1: lower values mean less beam (bone); MONOCHROME2 here stores bone bright, so −1.
      PixelIntensityRelationshipSign: x.photometric === 'MONOCHROME1' ? 1 : -1,
      WindowCenter: img.windowCenter,
      WindowWidth: img.windowWidth,
      WindowCenterWidthExplanation: 'AUTO',
      RescaleIntercept: x.rescaleIntercept,
      RescaleSlope: x.rescaleSlope,
      RescaleType: 'US',
      PresentationLUTShape: x.photometric === 'MONOCHROME1' ? 'INVERSE' : 'IDENTITY',
      PixelData: img.stored,
    }),
    element('AnatomicRegionSequence', [[element('CodeValue', '43799004'), element('CodingSchemeDesignator', 'SCT'), element('CodeMeaning', 'Chest')]]),
  ];
}

/** The attributes of an axial brain MR slice (MR Image Storage), per the site's MR profile. */
export function mrDataSet(site: SiteProfile, id: ImageIdentity, size: number, img: Acquired, sliceMm: number): ElementList {
  const m = site.mr;
  const spacing = 230 / size;
  return dataSet({
    ...common(site, id),
    SOPClassUID: SOP_CLASS.MR,
    ImageType: ['ORIGINAL', 'PRIMARY', 'M', 'ND'],
    Modality: 'MR',
    StudyDescription: 'MR BRAIN',
    SeriesDescription: 'AX FLAIR',
    ProtocolName: 'AX FLAIR',
    BodyPartExamined: 'HEAD',
    ScanningSequence: ['SE', 'IR'],
    SequenceVariant: ['SK', 'SP'],
    ScanOptions: null,
    MRAcquisitionType: '2D',
    SliceThickness: 5,
    SpacingBetweenSlices: 6,
    RepetitionTime: 9000,
    EchoTime: 120,
    EchoTrainLength: 16,
    FlipAngle: 90,
    MagneticFieldStrength: m.fieldStrength,
    ImagingFrequency: m.fieldStrength === 3 ? 127.74 : 63.87,
    PatientPosition: 'HFS',
    ImagePositionPatient: [-115 + spacing / 2, -115 + spacing / 2, sliceMm],
    ImageOrientationPatient: [1, 0, 0, 0, 1, 0],
    FrameOfReferenceUID: id.frameOfReferenceUid,
    PositionReferenceIndicator: null,
    SliceLocation: sliceMm,
    PixelSpacing: [spacing, spacing],
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: size,
    Columns: size,
    BitsStored: m.bitsStored,
    HighBit: m.bitsStored - 1,
    PixelRepresentation: m.pixelRepresentation,
    WindowCenter: img.windowCenter,
    WindowWidth: img.windowWidth,
    PixelData: img.stored,
  });
}
