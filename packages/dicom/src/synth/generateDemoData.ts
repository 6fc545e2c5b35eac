import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { loadPixelEncoders } from '../write/wasmEncoders.js';
import { type PlannedImage, patientIdOf, planSite } from './cohort.js';
import { RenderPool } from './renderPool.js';
import { type RenderJob, renderJob } from './renderWorker.js';
import { siteProfile } from './siteProfiles.js';
import { splitPatients } from './split.js';

export interface DemoDataOptions {
  /** Output folder (created). */
  out: string;
  /** Number of sites, ≥ 1. */
  sites: number;
  /** Images per site. */
  perSite: number;
  seed: number;
  /** Rows = columns of every image. */
  size: number;
  /** Fraction of patients (per site, per anomaly status) held out for test. Default 0.25. */
  testFraction?: number;
  /** Write absolute paths in the label CSVs instead of paths relative to the CSV's folder. */
  absolutePaths?: boolean;
  /** Called after each written image. */
  onProgress?: (done: number, total: number) => void;
  /** Worker threads rendering in parallel; default one per core (at most 4); 0 renders in this thread. */
  workers?: number;
}

export interface SiteSummary {
  id: string;
  institution: string;
  images: number;
  anomalies: number;
  patients: number;
  modalities: Record<string, number>;
  transferSyntaxes: Record<string, number>;
  bitsStored: number[];
  photometric: string[];
}

export interface DemoDataSummary {
  out: string;
  seed: number;
  size: number;
  sites: SiteSummary[];
  train: { images: number; anomalies: number; patients: number };
  test: { images: number; anomalies: number; patients: number };
  /** Label CSV files written, absolute. */
  labelFiles: string[];
  /**
   * One anomaly task per modality, as a clinic would train them: chest X-ray nodules (CR and DX)
   * and brain MR lesions, each a train/test pair of label CSVs (absolute paths).
   */
  tasks: { xray: DemoTask; mr: DemoTask };
}

export interface DemoTask {
  train: string;
  test: string;
  trainImages: number;
  testImages: number;
  trainAnomalies: number;
  testAnomalies: number;
}

interface Row {
  plan: PlannedImage;
  label: 0 | 1;
  file: string;
  anomaly?: { kind: string; u: number; v: number; radius: number };
}

/**
 * Makes `out` ready for a fresh data set: an empty or missing folder is fine; an earlier demo
 * data set (it has our manifest) is removed first, so no stale image from a larger earlier run
 * stays behind to be picked up by a scan; anything else is refused rather than mixed into.
 */
async function clearPreviousRun(out: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(out);
  } catch {
    return;
  }
  if (entries.length === 0) return;
  let manifest: { generator?: string } = {};
  try {
    manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as { generator?: string };
  } catch {
    // no readable manifest: not ours
  }
  if (manifest.generator !== 'fedcl demo-data') {
    throw new Error(`${out} is not empty and holds no earlier demo data (no fedcl manifest.json); choose an empty or new folder`);
  }
  const ours = entries.filter((e) => /^site-\d+$/.test(e) || e === 'labels' || e === 'manifest.json');
  await Promise.all(ours.map((e) => rm(join(out, e), { recursive: true, force: true })));
}

async function renderInWorker(pool: RenderPool, job: Omit<RenderJob, 'id'>, what: string): Promise<{ bytes: Uint8Array; label: 0 | 1; anomaly?: Row['anomaly'] }> {
  const reply = await pool.run(job);
  if (reply.error !== undefined || !reply.bytes || reply.label === undefined) throw new Error(`rendering ${what} failed: ${reply.error}`);
  return { bytes: reply.bytes, label: reply.label, ...(reply.anomaly ? { anomaly: reply.anomaly } : {}) };
}

function count<T extends string | number>(values: T[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[String(v)] = (out[String(v)] ?? 0) + 1;
  return out;
}

function csv(rows: Row[], csvDir: string, absolute: boolean): string {
  const lines = rows.map((r) => `${absolute ? r.file : relative(csvDir, r.file).split('\\').join('/')},${r.label}`);
  return `path,label\n${lines.join('\n')}\n`;
}

/**
 * Writes the synthetic multi-site DICOM data set and its labels:
 * `out/site-<k>/P<nnnn>/ST<n>/SE1/IM<n>.dcm`, `out/labels/{train,test}.csv` (all sites),
 * `out/labels/site-<k>-{train,test}.csv`, one task per modality in
 * `out/labels/{xray,mr}-{train,test}.csv`, `out/labels/anomalies.csv` (where each anomaly is) and
 * `out/manifest.json`. Label CSVs have `path,label`, path relative to the CSV's folder unless
 * `absolutePaths`, label 1 = anomaly. Same options → byte-identical files. An earlier demo data
 * set in `out` is replaced; a non-empty folder holding anything else is refused.
 */
export async function generateDemoData(options: DemoDataOptions): Promise<DemoDataSummary> {
  const { sites, perSite, seed, size } = options;
  if (!Number.isInteger(sites) || sites < 1) throw new RangeError(`sites must be a positive integer, got ${sites}`);
  if (!Number.isInteger(perSite) || perSite < 1) throw new RangeError(`per-site must be a positive integer, got ${perSite}`);
  if (!Number.isInteger(size) || size < 32 || size > 2048) throw new RangeError(`size must be an integer in [32, 2048], got ${size}`);
  const out = resolve(options.out);
  await clearPreviousRun(out);
  const plans = Array.from({ length: sites }, (_, i) => planSite(seed, i + 1, siteProfile(i + 1), perSite));
  const total = plans.reduce((n, p) => n + p.length, 0);
  const workers = Math.min(options.workers ?? Math.min(4, availableParallelism()), total);
  const pool = workers > 0 ? new RenderPool(workers) : undefined;
  if (!pool) await loadPixelEncoders();
  const rows: Row[] = new Array(total);
  let done = 0;
  try {
    const jobs = plans.flatMap((plan, s) => plan.map((p, index) => ({ p, job: { seed, size, siteIndex: s + 1, perSite, index } })));
    let next = 0;
    // Keep every worker a few jobs ahead; rows land at their plan position whatever the finishing order.
    const lane = async (): Promise<void> => {
      while (next < jobs.length) {
        const k = next++;
        const { p, job } = jobs[k]!;
        const { bytes, label, anomaly } = pool ? await renderInWorker(pool, job, p.relativePath) : renderJob(job);
        const file = join(out, ...p.relativePath.split('/'));
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, bytes);
        rows[k] = { plan: p, label, file, ...(anomaly ? { anomaly } : {}) };
        options.onProgress?.(++done, total);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, workers * 3) }, lane));
  } finally {
    await pool?.close();
  }

  const patientKey = (r: Row): string => patientIdOf(r.plan);
  const positive = new Map<string, boolean>();
  for (const r of rows) positive.set(patientKey(r), (positive.get(patientKey(r)) ?? false) || r.label === 1);
  const testPatients = splitPatients(positive, options.testFraction ?? 0.25, seed);
  const labels = join(out, 'labels');
  await mkdir(labels, { recursive: true });
  const absolute = options.absolutePaths ?? false;
  const labelFiles: string[] = [];
  const writeCsv = async (name: string, subset: Row[]): Promise<void> => {
    const path = join(labels, name);
    await writeFile(path, csv(subset, labels, absolute));
    labelFiles.push(path);
  };
  const isTest = (r: Row): boolean => testPatients.has(patientKey(r));
  await writeCsv('train.csv', rows.filter((r) => !isTest(r)));
  await writeCsv('test.csv', rows.filter(isTest));
  for (let k = 1; k <= sites; k++) {
    const siteRows = rows.filter((r) => r.plan.siteIndex === k);
    await writeCsv(`site-${k}-train.csv`, siteRows.filter((r) => !isTest(r)));
    await writeCsv(`site-${k}-test.csv`, siteRows.filter(isTest));
  }
  const task = async (modality: 'xray' | 'mr'): Promise<DemoTask> => {
    const train = rows.filter((r) => r.plan.modality === modality && !isTest(r));
    const test = rows.filter((r) => r.plan.modality === modality && isTest(r));
    await writeCsv(`${modality}-train.csv`, train);
    await writeCsv(`${modality}-test.csv`, test);
    const positives = (subset: Row[]) => subset.filter((r) => r.label === 1).length;
    return {
      train: join(labels, `${modality}-train.csv`),
      test: join(labels, `${modality}-test.csv`),
      trainImages: train.length,
      testImages: test.length,
      trainAnomalies: positives(train),
      testAnomalies: positives(test),
    };
  };
  const tasks = { xray: await task('xray'), mr: await task('mr') };
  const anomalyLines = rows
    .filter((r) => r.anomaly)
    .map((r) => {
      const a = r.anomaly!;
      // Anatomy coordinates are in [-1, 1] across the image before the view's rotation/shift.
      return `${relative(labels, r.file).split('\\').join('/')},${a.kind},${a.u.toFixed(4)},${a.v.toFixed(4)},${a.radius.toFixed(4)}`;
    });
  await writeFile(join(labels, 'anomalies.csv'), `path,kind,u,v,radius\n${anomalyLines.join('\n')}\n`);

  const side = (subset: Row[]) => ({
    images: subset.length,
    anomalies: subset.filter((r) => r.label === 1).length,
    patients: new Set(subset.map(patientKey)).size,
  });
  const summary: DemoDataSummary = {
    out,
    seed,
    size,
    sites: plans.map((plan, i) => {
      const siteRows = rows.filter((r) => r.plan.siteIndex === i + 1);
      const profile = plan[0]!.site;
      const modalities = siteRows.map((r) => (r.plan.modality === 'mr' ? 'MR' : profile.xray.modality));
      return {
        id: profile.id,
        institution: profile.institution,
        images: siteRows.length,
        anomalies: siteRows.filter((r) => r.label === 1).length,
        patients: new Set(siteRows.map(patientKey)).size,
        modalities: count(modalities),
        transferSyntaxes: count(siteRows.map((r) => r.plan.transferSyntaxUID)),
        bitsStored: [...new Set(siteRows.map((r) => (r.plan.modality === 'mr' ? profile.mr.bitsStored : profile.xray.bitsStored)))].sort(),
        photometric: [...new Set(siteRows.map((r) => (r.plan.modality === 'mr' ? 'MONOCHROME2' : profile.xray.photometric)))].sort(),
      };
    }),
    train: side(rows.filter((r) => !isTest(r))),
    test: side(rows.filter(isTest)),
    labelFiles,
    tasks,
  };
  const manifest = {
    generator: 'fedcl demo-data',
    note: 'Synthetic phantoms, not patient data. Label CSV paths are relative to the CSV folder unless written absolute; label 1 = anomaly (nodule on X-ray, lesion on MR).',
    pathsRelativeTo: absolute ? 'absolute' : 'csv-folder',
    ...summary,
    out: undefined,
    labelFiles: labelFiles.map((f) => relative(out, f).split('\\').join('/')),
    tasks: Object.fromEntries(
      Object.entries(tasks).map(([k, t]) => [k, { ...t, train: relative(out, t.train).split('\\').join('/'), test: relative(out, t.test).split('\\').join('/') }]),
    ),
  };
  await writeFile(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return summary;
}
