import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { BatchLoader, readIndex, readOrCreateSalt, samplesFromIndex, scanDataset, writeIndex, type DatasetIndex, type ScanProgress } from '@fedcl/dicom';
import { dicomBatchSource } from '@fedcl/ssl';
import type { SiteData } from './agent.js';
import type { TrainingSpec } from './trainingSpec.js';
import { readLabels } from '../finetune/labels.js';

export interface SiteDataOptions {
  /** Folder of DICOM files (scanned recursively). */
  dir: string;
  /** Where the index and its salt live (the site's work directory, never shared). */
  workDir: string;
  /** Keep only these modalities. */
  modalities?: readonly string[];
  /** A `path,label` CSV whose images are kept out of the index (and so out of pretraining). */
  holdout?: string;
  onProgress?: (p: ScanProgress) => void;
}

/**
 * A site's training data: scans `dir` into an index (incrementally, reusing the previous
 * index in workDir), and builds a batch source for each round's spec. Unreadable files are
 * quarantined by the scan and by the loader, never fatal.
 */
export async function openSiteData(o: SiteDataOptions): Promise<SiteData & { index: DatasetIndex; heldOut: number }> {
  mkdirSync(o.workDir, { recursive: true, mode: 0o700 });
  const indexPath = join(o.workDir, 'index.json');
  const saltPath = join(o.workDir, 'index.salt');
  const { salt } = await readOrCreateSalt(saltPath);
  const previous = existsSync(indexPath) ? await readIndex(indexPath) : undefined;
  const heldOut = o.holdout ? readLabels(o.holdout).map((r) => r.path) : [];
  const { index } = await scanDataset(resolve(o.dir), {
    salt,
    ...(previous ? { previous } : {}),
    ...(o.modalities ? { modalities: o.modalities } : {}),
    exclude: [resolve(indexPath), resolve(saltPath), ...heldOut],
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
  });
  await writeIndex(indexPath, index);
  const samples = samplesFromIndex(index, { framePolicy: 'middle' });
  if (samples.length < 2) {
    throw new Error(`${o.dir}: ${samples.length} readable image(s) found (${index.summary.quarantined} quarantined); contrastive training needs at least 2 — see ${indexPath}`);
  }
  const byModality = Object.entries(index.summary.byModality).sort(([, a], [, b]) => b - a);
  const root = resolve(o.dir) + sep;
  return {
    index,
    samples: samples.length,
    heldOut: heldOut.filter((f) => f.startsWith(root) && existsSync(f)).length,
    modality: byModality[0]?.[0],
    source(spec: TrainingSpec) {
      const batchSize = Math.min(spec.batchSize, samples.length);
      const grouped = spec.pairs === 'augment' ? {} : { groupBy: spec.pairs };
      const loader = new BatchLoader(samples, { batchSize, size: spec.inputSize, dropLast: true, seed: spec.seed, ...grouped });
      return dicomBatchSource(loader, { batchSize, dropLast: true, fingerprint: `index:${index.saltFingerprint}:${samples.length}`, ...grouped });
    },
  };
}
