import type { ElementList } from '../write/element.js';
import { acquireMr, acquireXray } from './acquire.js';
import { type BrainLesion, lesionRadiusAt, renderBrain, sampleBrainAnatomy, sampleBrainLesion, sampleBrainView } from './brainPhantom.js';
import { type Nodule, type RenderedPhantom, renderChest, sampleChestAnatomy, sampleChestView, sampleNodule } from './chestPhantom.js';
import { type PlannedImage, SLICE_SPACING, patientIdOf } from './cohort.js';
import { type ImageIdentity, mrDataSet, xrayDataSet } from './imageDataSet.js';
import { Rng } from './prng.js';

/** Smallest in-plane lesion radius (anatomy units, ≈ 6 px at 256²) that counts as visible: thinner cuts are not drawn. */
/** Millimetres between neighbouring slices, as SpacingBetweenSlices says. */
const SLICE_MM = 6;

export const MIN_VISIBLE_LESION = 0.05;

export interface RenderedImage {
  dataset: ElementList;
  /** 1 when the image shows the anomaly. */
  label: 0 | 1;
  /** The noise-free phantom with and without the anomaly, for checks; same geometry. */
  phantom: RenderedPhantom;
  /** The anomaly as drawn, in anatomy coordinates (nodule or lesion cross-section), when label is 1. */
  anomaly?: { kind: 'nodule' | 'lesion'; u: number; v: number; radius: number };
}

function identity(p: PlannedImage): ImageIdentity {
  const id = patientIdOf(p);
  return {
    patientName: `DEMO^PATIENT^S${p.siteIndex}-${String(p.patient).padStart(4, '0')}`,
    patientId: id,
    birthDate: p.birthDate,
    sex: p.sex,
    age: p.age,
    studyUid: p.uids.study,
    seriesUid: p.uids.series,
    instanceUid: p.uids.instance,
    frameOfReferenceUid: p.uids.frameOfReference,
    studyId: String(p.study),
    accession: `D${p.siteIndex}${String(p.patient).padStart(4, '0')}${p.study}`,
    studyDate: p.studyDate,
    studyTime: p.studyTime,
    seriesNumber: 1,
    instanceNumber: p.image,
  };
}

/** The phantom of one planned image; `withAnomaly: false` renders the same view without it. */
export function renderPhantom(seed: number, p: PlannedImage, size: number, withAnomaly = true): { phantom: RenderedPhantom; anomaly?: RenderedImage['anomaly'] } {
  const patientKey = [seed, p.site.id, 'patient', p.patient] as const;
  const anatomyRng = Rng.for(...patientKey, 'anatomy');
  const lesionRng = Rng.for(...patientKey, 'study', p.study, 'anomaly');
  const viewRng = Rng.for(...patientKey, 'study', p.study, 'image', p.image, 'view');
  if (p.modality === 'xray') {
    const anatomy = sampleChestAnatomy(anatomyRng);
    const nodule: Nodule | undefined = p.studyAnomalous ? sampleNodule(lesionRng, anatomy) : undefined;
    const view = sampleChestView(viewRng);
    const phantom = renderChest(size, anatomy, view, withAnomaly ? nodule : undefined);
    return { phantom, ...(nodule ? { anomaly: { kind: 'nodule' as const, u: nodule.u, v: nodule.v, radius: nodule.radius } } : {}) };
  }
  const anatomy = sampleBrainAnatomy(anatomyRng);
  const lesion: BrainLesion | undefined = p.studyAnomalous ? sampleBrainLesion(lesionRng, anatomy, p.studyZ) : undefined;
  const visible = lesion && lesionRadiusAt(lesion, p.sliceZ) >= MIN_VISIBLE_LESION ? lesion : undefined;
  const view = sampleBrainView(viewRng, p.sliceZ);
  const phantom = renderBrain(size, anatomy, view, withAnomaly ? visible : undefined);
  return { phantom, ...(visible ? { anomaly: { kind: 'lesion' as const, u: visible.u, v: visible.v, radius: lesionRadiusAt(visible, p.sliceZ) } } : {}) };
}

/** Renders, "acquires" (site noise, bit depth, photometric, rescale) and describes one image. */
export function renderImage(seed: number, p: PlannedImage, size: number): RenderedImage {
  const { phantom, anomaly } = renderPhantom(seed, p, size);
  const noiseRng = Rng.for(seed, p.site.id, 'patient', p.patient, 'study', p.study, 'image', p.image, 'noise');
  const id = identity(p);
  const dataset = p.modality === 'xray'
    ? xrayDataSet(p.site, id, size, acquireXray(phantom.image, size, p.site.xray, noiseRng))
    : mrDataSet(p.site, id, size, acquireMr(phantom.image, size, p.site.mr, noiseRng), Math.round((p.sliceZ * SLICE_MM) / SLICE_SPACING * 10) / 10);
  return { dataset, label: anomaly ? 1 : 0, phantom, ...(anomaly ? { anomaly } : {}) };
}
