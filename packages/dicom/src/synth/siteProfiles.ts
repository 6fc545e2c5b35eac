import { WRITABLE_TRANSFER_SYNTAXES as TS } from '../write/transferSyntax.js';

/** How one site's X-ray equipment stores images. */
export interface XrayProfile {
  modality: 'DX' | 'CR';
  bitsStored: 10 | 12 | 14 | 16;
  photometric: 'MONOCHROME1' | 'MONOCHROME2';
  /** Modality LUT; DX requires slope 1, intercept 0 (PS3.3 C.8.11.3). */
  rescaleSlope: number;
  rescaleIntercept: number;
  /** Quantum noise, as a fraction of full brightness. */
  noise: number;
  /** Fraction of the stored range the body spans (detector gain). */
  gain: number;
  /** Window width as a multiple of the image's 1st–99th percentile span. */
  windowScale: number;
}

/** How one site's MR scanner stores images. */
export interface MrProfile {
  bitsStored: 12 | 14 | 16;
  pixelRepresentation: 0 | 1;
  /** Rician noise sigma relative to white-matter signal. */
  noise: number;
  /** Amplitude of the smooth multiplicative bias field. */
  bias: number;
  /** Stored value of white matter. */
  scale: number;
  fieldStrength: 1.5 | 3;
}

export interface SiteProfile {
  /** Folder name and label, e.g. `site-1`. */
  id: string;
  institution: string;
  manufacturer: string;
  model: string;
  /** Fraction of patients imaged by X-ray; the rest by MR. */
  xrayFraction: number;
  xray: XrayProfile;
  mr: MrProfile;
  /** Transfer syntaxes and their weights for the site's files (non-IID storage). */
  transferSyntaxes: readonly (readonly [string, number])[];
  /** Probability that a study shows an anomaly. */
  studyAnomalyRate: number;
}

/**
 * Three deliberately different sites (non-IID): site 1 mostly DX 12-bit MONOCHROME2 stored as
 * explicit LE / JPEG-LS; site 2 half CR 10-bit MONOCHROME1 with a rescale, half signed 16-bit MR,
 * stored as RLE / implicit LE; site 3 mostly MR 14-bit with some 14-bit MONOCHROME1 DX, stored as
 * JPEG 2000 / big endian / deflated. More sites reuse these with their index in the names.
 */
const BASE: readonly Omit<SiteProfile, 'id'>[] = [
  {
    institution: 'FEDCL DEMO HOSPITAL NORTH',
    manufacturer: 'FEDCL SYNTHETIC',
    model: 'PHANTOM DX 1',
    xrayFraction: 0.75,
    xray: { modality: 'DX', bitsStored: 12, photometric: 'MONOCHROME2', rescaleSlope: 1, rescaleIntercept: 0, noise: 0.012, gain: 0.8, windowScale: 1.0 },
    mr: { bitsStored: 12, pixelRepresentation: 0, noise: 0.03, bias: 0.1, scale: 1400, fieldStrength: 1.5 },
    transferSyntaxes: [[TS.explicitVrLittleEndian, 0.5], [TS.jpegLsLossless, 0.5]],
    studyAnomalyRate: 0.28,
  },
  {
    institution: 'FEDCL DEMO HOSPITAL SOUTH',
    manufacturer: 'FEDCL SYNTHETIC',
    model: 'PHANTOM CR 2',
    xrayFraction: 0.5,
    xray: { modality: 'CR', bitsStored: 10, photometric: 'MONOCHROME1', rescaleSlope: 2, rescaleIntercept: -1024, noise: 0.022, gain: 0.9, windowScale: 0.8 },
    mr: { bitsStored: 16, pixelRepresentation: 1, noise: 0.05, bias: 0.2, scale: 9000, fieldStrength: 3 },
    transferSyntaxes: [[TS.rleLossless, 0.6], [TS.implicitVrLittleEndian, 0.4]],
    studyAnomalyRate: 0.22,
  },
  {
    institution: 'FEDCL DEMO HOSPITAL EAST',
    manufacturer: 'FEDCL SYNTHETIC',
    model: 'PHANTOM MR 3',
    xrayFraction: 0.25,
    xray: { modality: 'DX', bitsStored: 14, photometric: 'MONOCHROME1', rescaleSlope: 1, rescaleIntercept: 0, noise: 0.016, gain: 0.7, windowScale: 1.2 },
    mr: { bitsStored: 14, pixelRepresentation: 0, noise: 0.04, bias: 0.3, scale: 5000, fieldStrength: 3 },
    transferSyntaxes: [[TS.jpeg2000Lossless, 0.6], [TS.explicitVrBigEndian, 0.2], [TS.deflatedExplicitVrLittleEndian, 0.2]],
    studyAnomalyRate: 0.33,
  },
];

/** The profile of site k (1-based). */
export function siteProfile(k: number): SiteProfile {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`site numbers start at 1, got ${k}`);
  const base = BASE[(k - 1) % BASE.length]!;
  const round = Math.floor((k - 1) / BASE.length);
  return {
    ...base,
    id: `site-${k}`,
    institution: round === 0 ? base.institution : `${base.institution} ${round + 1}`,
    model: `${base.model}${round === 0 ? '' : `.${round + 1}`}`,
  };
}
