/**
 * The dataset index: what a site has, grouped by patient / study / series under salted
 * hashes, written as JSON (schema `version: 1`, documented in docs/datasets.md).
 * It holds no patient name, patient ID, date or UID (not even file modification times, which
 * are kept as keyed digests): only HMAC ids, image geometry, modality and the file paths
 * (relative to `root`) needed to read the pixels.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { DicomError, type DicomErrorCode } from '../errors.js';

export const INDEX_VERSION = 1;

/** One readable image file. */
export interface IndexedFile {
  /** Size in bytes. */
  size: number;
  /** statStamp of size and modification time: a rescan reuses the entry while it is unchanged. */
  stamp: string;
  /** HMAC ids (see hash.ts). */
  patient: string;
  study: string;
  series: string;
  instance: string;
  /**
   * Levels whose identifier was missing from the file and replaced by the level below
   * (patient ← study ← series ← directory, instance ← path). Absent when none was.
   */
  inferred?: ('patient' | 'study' | 'series' | 'instance')[];
  /** Modality (0008,0060), upper case, e.g. CR, DX, MR, CT; 'OT' when absent. */
  modality: string;
  sopClassUID?: string;
  transferSyntaxUID: string;
  rows: number;
  columns: number;
  frames: number;
  samplesPerPixel: number;
  photometricInterpretation: string;
  bitsStored: number;
  bodyPartExamined?: string;
  viewPosition?: string;
  /**
   * Set when the relative path spells out the file's own patient ID or a UID (PACS exports
   * often name files by SOP Instance UID): the path is then the one identifier in the index.
   */
  pathHasIdentifier?: true;
}

/** A file left out because its modality is not in the scan's filter. */
export interface SkippedFile {
  size: number;
  stamp: string;
  modality: string;
}

/** A file that could not be read, with the DicomError code and message saying why. */
export interface QuarantinedFile {
  size: number;
  stamp: string;
  code: DicomErrorCode | 'UNEXPECTED';
  message: string;
}

/** One series: its files in path order and where it belongs. */
export interface SeriesEntry {
  patient: string;
  study: string;
  modality: string;
  files: string[];
  frames: number;
}

export interface IndexSummary {
  files: number;
  frames: number;
  series: number;
  studies: number;
  patients: number;
  skipped: number;
  quarantined: number;
  byModality: Record<string, number>;
  quarantinedByCode: Record<string, number>;
  /** Files whose relative path contains one of their own identifiers (patient ID or a UID). */
  pathsWithIdentifiers: number;
}

export interface DatasetIndex {
  version: typeof INDEX_VERSION;
  /** Absolute path of the scanned directory; file keys are relative to it, '/'-separated. */
  root: string;
  /** ISO time of the first and of the latest scan. */
  createdAt: string;
  updatedAt: string;
  /** Fingerprint of the salt the ids were made with (not the salt). */
  saltFingerprint: string;
  /** Modalities kept by the scan's filter, or null for all. */
  modalities: string[] | null;
  files: Record<string, IndexedFile>;
  skipped: Record<string, SkippedFile>;
  quarantine: Record<string, QuarantinedFile>;
  /** Derived from `files` on every scan, keyed by series id. */
  series: Record<string, SeriesEntry>;
  summary: IndexSummary;
}

/** Groups files into series and counts everything; pure. */
export function deriveSeries(files: Record<string, IndexedFile>): Record<string, SeriesEntry> {
  const series: Record<string, SeriesEntry> = {};
  for (const path of Object.keys(files).sort()) {
    const f = files[path]!;
    const s = (series[f.series] ??= { patient: f.patient, study: f.study, modality: f.modality, files: [], frames: 0 });
    s.files.push(path);
    s.frames += f.frames;
  }
  return series;
}

export function summarise(
  files: Record<string, IndexedFile>,
  skipped: Record<string, SkippedFile>,
  quarantine: Record<string, QuarantinedFile>,
): IndexSummary {
  const list = Object.values(files);
  const count = <T>(items: T[], key: (t: T) => string) => {
    const out: Record<string, number> = {};
    for (const t of items) out[key(t)] = (out[key(t)] ?? 0) + 1;
    return out;
  };
  return {
    files: list.length,
    frames: list.reduce((s, f) => s + f.frames, 0),
    series: new Set(list.map((f) => f.series)).size,
    studies: new Set(list.map((f) => f.study)).size,
    patients: new Set(list.map((f) => f.patient)).size,
    skipped: Object.keys(skipped).length,
    quarantined: Object.keys(quarantine).length,
    byModality: count(list, (f) => f.modality),
    quarantinedByCode: count(Object.values(quarantine), (q) => q.code),
    pathsWithIdentifiers: list.filter((f) => f.pathHasIdentifier).length,
  };
}

/** Checks the shape of a parsed index enough to trust it for a rescan or a loader. */
export function validateIndex(value: unknown, file = 'index'): DatasetIndex {
  const bad = (what: string) =>
    new DicomError('INVALID_ATTRIBUTE', `${file} is not a fedcl dataset index (${what}); rescan with \`fedcl dicom scan DIR --out ${file}\``);
  if (typeof value !== 'object' || value === null) throw bad('not a JSON object');
  const v = value as Partial<DatasetIndex>;
  if (v.version !== INDEX_VERSION) throw bad(`version ${String(v.version)}, this fedcl reads version ${INDEX_VERSION}`);
  for (const key of ['files', 'skipped', 'quarantine', 'series'] as const) {
    if (typeof v[key] !== 'object' || v[key] === null) throw bad(`'${key}' missing`);
  }
  if (typeof v.root !== 'string' || typeof v.saltFingerprint !== 'string') throw bad("'root' or 'saltFingerprint' missing");
  for (const [path, f] of Object.entries(v.files!)) {
    if (typeof f.series !== 'string' || !(f.frames >= 1) || !(f.rows >= 1) || !(f.columns >= 1)) throw bad(`entry '${path}' is malformed`);
  }
  return v as DatasetIndex;
}

export async function readIndex(path: string): Promise<DatasetIndex> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new DicomError('IO_ERROR', `cannot read the index (${(err as { code?: string }).code ?? String(err)})`, { cause: err, file: path });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new DicomError('INVALID_ATTRIBUTE', `the index is not valid JSON (${(err as Error).message}); rescan to rebuild it`, { cause: err, file: path });
  }
  return validateIndex(json, path);
}

/** Writes the index atomically (temp file + rename), so a crash never leaves half an index. */
export async function writeIndex(path: string, index: DatasetIndex): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(index, null, 1)}\n`);
  await rename(tmp, path);
}
