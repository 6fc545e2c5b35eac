import { uidFromName } from '../write/uid.js';
import { Rng } from './prng.js';
import type { SiteProfile } from './siteProfiles.js';

/** One image to render: who, which study/series, which slice, and whether it shows an anomaly. */
export interface PlannedImage {
  site: SiteProfile;
  siteIndex: number;
  patient: number;
  study: number;
  image: number;
  modality: 'xray' | 'mr';
  /** The study has an anomaly (all of its X-rays show it; MR slices only where they cut it). */
  studyAnomalous: boolean;
  /** MR slice level, relative to the study's lesion level when there is one. */
  sliceZ: number;
  /** The lesion level for MR studies. */
  studyZ: number;
  /**
   * Path relative to the output folder, with `/` separators. Folder names are not the Patient ID
   * or UIDs, so a path says nothing the index should not hold.
   */
  relativePath: string;
  transferSyntaxUID: string;
  studyDate: string;
  studyTime: string;
  birthDate: string;
  sex: 'F' | 'M';
  age: string;
  uids: { study: string; series: string; instance: string; frameOfReference: string };
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** `YYYYMMDD` of a day count since 2020-01-01 (UTC calendar, no time zones involved). */
function dateFromDays(days: number): string {
  const d = new Date(Date.UTC(2020, 0, 1) + days * 86400000);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)}`;
}

/** MR slices cut the study's lesion at level 0 ± spacing; this is the slice spacing in z units. */
export const SLICE_SPACING = 0.09;

/**
 * The site's images: patients, each with 1–2 studies of one modality (X-ray or MR by the site's
 * mix), 2–3 exposures per X-ray study and 3–5 slices per MR series, until `perSite` images.
 * Every draw comes from a stream keyed by (seed, site, patient, study, …), so the plan of a
 * patient does not depend on the others.
 */
export function planSite(seed: number, siteIndex: number, site: SiteProfile, perSite: number): PlannedImage[] {
  const out: PlannedImage[] = [];
  for (let patient = 1; out.length < perSite; patient++) {
    const rp = Rng.for(seed, site.id, 'patient', patient);
    const modality = rp.chance(site.xrayFraction) ? 'xray' : 'mr';
    const sex = rp.chance(0.5) ? 'F' : 'M';
    const birthDays = -rp.int(20 * 365, 85 * 365);
    const firstStudyDay = rp.int(0, 4 * 365);
    const studies = rp.chance(0.3) ? 2 : 1;
    for (let study = 1; study <= studies && out.length < perSite; study++) {
      const rs = Rng.for(seed, site.id, 'patient', patient, 'study', study);
      const studyDay = firstStudyDay + (study - 1) * rs.int(60, 400);
      const ageYears = Math.floor((studyDay - birthDays) / 365.25);
      const studyAnomalous = rs.chance(site.studyAnomalyRate);
      const count = modality === 'xray' ? rs.int(2, 3) : rs.int(3, 5);
      const studyZ = rs.uniform(-0.35, 0.35);
      const ts = rs.weighted(site.transferSyntaxes);
      const seconds = rs.int(8 * 3600, 17 * 3600);
      const studyTime = `${pad(Math.floor(seconds / 3600), 2)}${pad(Math.floor(seconds / 60) % 60, 2)}${pad(seconds % 60, 2)}`;
      const key = `${seed}/${site.id}/${patient}/${study}`;
      const studyUid = uidFromName(`${key}/study`);
      const seriesUid = uidFromName(`${key}/series/1`);
      for (let image = 1; image <= count && out.length < perSite; image++) {
        out.push({
          site, siteIndex, patient, study, image, modality, studyAnomalous,
          // Slices centred on the lesion level with a random sub-spacing offset.
          sliceZ: studyZ + SLICE_SPACING * (image - 1 - (count - 1) / 2) + rs.uniform(-0.02, 0.02),
          studyZ,
          relativePath: `${site.id}/P${pad(patient, 4)}/ST${study}/SE1/IM${image}.dcm`,
          transferSyntaxUID: ts,
          studyDate: dateFromDays(studyDay),
          studyTime,
          birthDate: dateFromDays(birthDays),
          sex,
          age: `${pad(Math.min(ageYears, 999), 3)}Y`,
          uids: { study: studyUid, series: seriesUid, instance: uidFromName(`${key}/image/${image}`), frameOfReference: uidFromName(`${key}/frame`) },
        });
      }
    }
  }
  return out;
}

/** The patient identifier of a planned image. */
export function patientIdOf(p: PlannedImage): string {
  return `DEMO-S${p.siteIndex}-${pad(p.patient, 4)}`;
}
