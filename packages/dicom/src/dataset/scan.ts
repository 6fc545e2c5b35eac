/**
 * Scans a directory tree into a DatasetIndex: header-only parse of every file, salted ids,
 * modality filter, incremental rescan (entries whose size and mtime stamp are unchanged are kept
 * without reading the file), and a quarantine for whatever cannot be read: one bad file never
 * stops a scan.
 */
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { DicomInfo } from '../attributes.js';
import { isDicomError } from '../errors.js';
import { readDicomFile } from '../parse.js';
import { hashIdentifier, saltFingerprint, statStamp } from './hash.js';
import {
  type DatasetIndex,
  deriveSeries,
  INDEX_VERSION,
  type IndexedFile,
  type QuarantinedFile,
  type SkippedFile,
  summarise,
} from './schema.js';

export interface ScanProgress {
  /** Files handled so far (read or reused) and the number found by the walk. */
  done: number;
  total: number;
}

export interface ScanOptions {
  /** The site's secret salt (hash.ts). */
  salt: Uint8Array;
  /** The previous index of this tree, for an incremental rescan. */
  previous?: DatasetIndex;
  /** Keep only these modalities (case-insensitive); all when absent or empty. */
  modalities?: readonly string[];
  /** Absolute paths never indexed (the index file and its salt when they sit inside the tree). */
  exclude?: readonly string[];
  /** Files parsed at once (I/O overlap), default 4. */
  concurrency?: number;
  onProgress?: (p: ScanProgress) => void;
  /** Called with the number of files found so far while the tree is being listed (before any is read). */
  onListing?: (found: number) => void;
  /** Reads a file's header; tests inject failures. Default: readDicomFile(path, { headerOnly: true }). */
  readHeader?: (path: string) => Promise<{ info: DicomInfo }>;
  now?: () => Date;
}

export interface ScanStats {
  /** Files found by the walk. */
  found: number;
  /** Read and parsed in this scan. */
  read: number;
  /** Kept from the previous index without reading (size and mtime unchanged). */
  reused: number;
  /** In the previous index but gone from disk. */
  removed: number;
}

interface Found {
  rel: string;
  abs: string;
  size: number;
  /** statStamp of size and mtime. */
  stamp: string;
}

/** Directory walk, depth first, sorted; skips dot-files and does not follow directory symlinks. */
async function walk(
  root: string,
  exclude: Set<string>,
  salt: Uint8Array,
  out: Found[],
  failures: Map<string, QuarantinedFile>,
  onFound?: (count: number) => void,
): Promise<void> {
  const visit = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      failures.set(`${toKey(relative(root, dir))}/`, {
        size: 0,
        stamp: '',
        code: 'IO_ERROR',
        message: `cannot list the directory (${(err as { code?: string }).code ?? String(err)}); check its permissions`,
      });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const abs = join(dir, e.name);
      if (exclude.has(abs)) continue;
      if (e.isDirectory()) {
        await visit(abs);
        continue;
      }
      if (!e.isFile() && !e.isSymbolicLink()) continue;
      try {
        const s = await stat(abs);
        if (s.isFile()) {
          out.push({ rel: toKey(relative(root, abs)), abs, size: s.size, stamp: statStamp(salt, s.size, s.mtimeMs) });
          onFound?.(out.length);
        }
      } catch (err) {
        failures.set(toKey(relative(root, abs)), { size: 0, stamp: '', code: 'IO_ERROR', message: `cannot stat the file (${(err as { code?: string }).code ?? String(err)})` });
      }
    }
  };
  await visit(root);
}

function toKey(rel: string): string {
  return sep === '/' ? rel : rel.split(sep).join('/');
}

/** The index entry of one parsed header: ids hashed, falling back level by level when missing. */
export function entryFor(info: DicomInfo, rel: string, size: number, stamp: string, salt: Uint8Array): IndexedFile {
  const inferred: IndexedFile['inferred'] = [];
  const present = (s: string | undefined) => (s !== undefined && s.trim() !== '' ? s.trim() : undefined);
  let seriesKey = present(info.seriesInstanceUID);
  if (!seriesKey) {
    inferred.push('series');
    seriesKey = `dir:${dirname(rel)}`;
  }
  let studyKey = present(info.studyInstanceUID);
  if (!studyKey) {
    inferred.push('study');
    studyKey = `series:${seriesKey}`;
  }
  let patientKey = present(info.patientId);
  if (!patientKey) {
    inferred.push('patient');
    patientKey = `study:${studyKey}`;
  }
  let instanceKey = present(info.sopInstanceUID);
  if (!instanceKey) {
    inferred.push('instance');
    instanceKey = `path:${rel}`;
  }
  const entry: IndexedFile = {
    size,
    stamp,
    patient: hashIdentifier(salt, 'patient', patientKey),
    study: hashIdentifier(salt, 'study', studyKey),
    series: hashIdentifier(salt, 'series', seriesKey),
    instance: hashIdentifier(salt, 'instance', instanceKey),
    modality: present(info.modality)?.toUpperCase() ?? 'OT',
    transferSyntaxUID: info.transferSyntaxUID,
    rows: info.rows,
    columns: info.columns,
    frames: info.numberOfFrames,
    samplesPerPixel: info.samplesPerPixel,
    photometricInterpretation: info.photometricInterpretation,
    bitsStored: info.bitsStored,
  };
  if (inferred.length > 0) entry.inferred = inferred;
  if (info.sopClassUID) entry.sopClassUID = info.sopClassUID;
  if (present(info.bodyPartExamined)) entry.bodyPartExamined = present(info.bodyPartExamined)!.toUpperCase();
  if (present(info.viewPosition)) entry.viewPosition = present(info.viewPosition)!.toUpperCase();
  return entry;
}

/** Whether a relative path spells out one of the file's own identifiers. */
function pathHasIdentifier(rel: string, info: DicomInfo): boolean {
  return [info.patientId, info.studyInstanceUID, info.seriesInstanceUID, info.sopInstanceUID].some(
    (id) => id !== undefined && id.trim().length >= 4 && rel.includes(id.trim()),
  );
}

/** Runs `task` over items with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

/** Scans `root` into an index. Never throws for a bad file; throws only when `root` itself is unusable. */
export async function scanDataset(root: string, options: ScanOptions): Promise<{ index: DatasetIndex; stats: ScanStats }> {
  const absRoot = resolve(root);
  const rootStat = await stat(absRoot).catch(() => undefined);
  if (!rootStat?.isDirectory()) throw new Error(`${absRoot} is not a directory; give the folder holding the DICOM files`);
  const now = (options.now ?? (() => new Date()))().toISOString();
  const fingerprint = saltFingerprint(options.salt);
  const modalities = options.modalities && options.modalities.length > 0 ? [...new Set(options.modalities.map((m) => m.toUpperCase()))].sort() : null;
  const prev = options.previous;
  // Ids from another salt cannot be reused; skips under another filter must be re-judged.
  const reuseFiles = prev !== undefined && prev.saltFingerprint === fingerprint;
  const reuseSkips = reuseFiles && JSON.stringify(prev.modalities) === JSON.stringify(modalities);
  const readHeader = options.readHeader ?? ((p: string) => readDicomFile(p, { headerOnly: true }));

  const found: Found[] = [];
  const quarantine = new Map<string, QuarantinedFile>();
  await walk(absRoot, new Set((options.exclude ?? []).map((p) => resolve(p))), options.salt, found, quarantine, options.onListing);

  const files: Record<string, IndexedFile> = {};
  const skipped: Record<string, SkippedFile> = {};
  const stats: ScanStats = { found: found.length, read: 0, reused: 0, removed: 0 };
  const keep = (modality: string) => modalities === null || modalities.includes(modality);
  let done = 0;
  const progress = () => options.onProgress?.({ done, total: found.length });
  progress();

  await pool(found, options.concurrency ?? 4, async (f) => {
    const same = <E extends { size: number; stamp: string }>(e: E | undefined): e is E => e !== undefined && e.size === f.size && e.stamp === f.stamp;
    const old = reuseFiles ? prev.files[f.rel] : undefined;
    const oldSkip = reuseSkips ? prev.skipped[f.rel] : undefined;
    const oldBad = prev?.quarantine[f.rel];
    if (same(old) && keep(old.modality)) {
      files[f.rel] = old;
      stats.reused++;
    } else if (same(oldSkip)) {
      skipped[f.rel] = oldSkip;
      stats.reused++;
    } else if (same(oldBad)) {
      quarantine.set(f.rel, oldBad);
      stats.reused++;
    } else {
      stats.read++;
      try {
        const { info } = await readHeader(f.abs);
        const entry = entryFor(info, f.rel, f.size, f.stamp, options.salt);
        if (!keep(entry.modality)) skipped[f.rel] = { size: f.size, stamp: f.stamp, modality: entry.modality };
        else {
          if (pathHasIdentifier(f.rel, info)) entry.pathHasIdentifier = true;
          files[f.rel] = entry;
        }
      } catch (err) {
        quarantine.set(f.rel, quarantined(err, f, absRoot));
      }
    }
    done++;
    progress();
  });

  const present = new Set(found.map((f) => f.rel));
  if (prev) {
    for (const key of [...Object.keys(prev.files), ...Object.keys(prev.skipped), ...Object.keys(prev.quarantine)]) {
      if (!key.endsWith('/') && !present.has(key)) stats.removed++;
    }
  }
  const sortedQuarantine = Object.fromEntries([...quarantine.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
  const sortedFiles = Object.fromEntries(Object.keys(files).sort().map((k) => [k, files[k]!]));
  const sortedSkipped = Object.fromEntries(Object.keys(skipped).sort().map((k) => [k, skipped[k]!]));
  const index: DatasetIndex = {
    version: INDEX_VERSION,
    root: absRoot,
    createdAt: prev?.createdAt ?? now,
    updatedAt: now,
    saltFingerprint: fingerprint,
    modalities,
    files: sortedFiles,
    skipped: sortedSkipped,
    quarantine: sortedQuarantine,
    series: deriveSeries(sortedFiles),
    summary: summarise(sortedFiles, sortedSkipped, sortedQuarantine),
  };
  return { index, stats };
}

function quarantined(err: unknown, f: Found, absRoot: string): QuarantinedFile {
  const raw = err instanceof Error ? err.message : String(err);
  // DicomError messages start with the absolute path; the index keeps paths relative.
  const message = raw.startsWith(`${f.abs}: `) ? raw.slice(f.abs.length + 2) : raw.split(absRoot).join('.');
  return { size: f.size, stamp: f.stamp, code: isDicomError(err) ? err.code : 'UNEXPECTED', message };
}
