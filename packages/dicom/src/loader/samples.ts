/**
 * What a loader iterates over: one sample per (file, frame), from a dataset index or a list of
 * files, with multi-frame files expanded per a frame policy.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DicomInfo } from '../attributes.js';
import { isDicomError } from '../errors.js';
import { readDicomFile } from '../parse.js';
import type { DatasetIndex, IndexedFile } from '../dataset/schema.js';

/**
 * Which frames of a multi-frame file become samples: every frame ('all'), only the middle one
 * ('middle', one representative slice per volume) or the first.
 */
export type FramePolicy = 'all' | 'middle' | 'first';

/** Hashed ids of a sample (dataset index ids; never raw identifiers). */
export interface SampleIds {
  patient: string;
  study: string;
  series: string;
  instance: string;
}

export interface Sample {
  /** Absolute path of the file. */
  file: string;
  /** 0-based frame. */
  frame: number;
  /** Geometry and file size, for the loader's memory accounting. */
  rows: number;
  columns: number;
  samplesPerPixel: number;
  fileBytes: number;
  modality?: string;
  ids?: SampleIds;
  label?: string | number;
}

/** A file or frame the loader (or sample listing) could not read, and why. */
export interface QuarantineEntry {
  file: string;
  /** The frame, when only that frame failed; absent when the whole file did. */
  frame?: number;
  code: string;
  message: string;
}

/** Frame indices of an n-frame file under a policy. */
export function framesFor(n: number, policy: FramePolicy): number[] {
  if (policy === 'all') return Array.from({ length: n }, (_, i) => i);
  return [policy === 'middle' ? Math.floor(n / 2) : 0];
}

export interface IndexSampleOptions {
  framePolicy?: FramePolicy;
  /** Only these modalities (upper case); all when absent. */
  modalities?: readonly string[];
  /** Label of a file, if any (e.g. from a site's label CSV keyed by path or instance id). */
  label?: (path: string, entry: IndexedFile) => string | number | undefined;
}

/** Samples of every indexed file, in path order. */
export function samplesFromIndex(index: DatasetIndex, options: IndexSampleOptions = {}): Sample[] {
  const policy = options.framePolicy ?? 'all';
  const keep = options.modalities ? new Set(options.modalities.map((m) => m.toUpperCase())) : undefined;
  const out: Sample[] = [];
  for (const path of Object.keys(index.files).sort()) {
    const f = index.files[path]!;
    if (keep && !keep.has(f.modality)) continue;
    const label = options.label?.(path, f);
    for (const frame of framesFor(f.frames, policy)) {
      const s: Sample = {
        file: join(index.root, path),
        frame,
        rows: f.rows,
        columns: f.columns,
        samplesPerPixel: f.samplesPerPixel,
        fileBytes: f.size,
        modality: f.modality,
        ids: { patient: f.patient, study: f.study, series: f.series, instance: f.instance },
      };
      if (label !== undefined) s.label = label;
      out.push(s);
    }
  }
  return out;
}

/**
 * Samples of a list of files, reading each header to count frames; files that cannot be read
 * are returned in `quarantine` instead of failing the list.
 */
export async function samplesFromFiles(
  files: readonly string[],
  options: { framePolicy?: FramePolicy; readHeader?: (file: string) => Promise<{ info: DicomInfo }> } = {},
): Promise<{ samples: Sample[]; quarantine: QuarantineEntry[] }> {
  const readHeader = options.readHeader ?? ((f: string) => readDicomFile(f, { headerOnly: true }));
  const samples: Sample[] = [];
  const quarantine: QuarantineEntry[] = [];
  for (const file of files) {
    try {
      const [{ info }, st] = await Promise.all([readHeader(file), stat(file)]);
      for (const frame of framesFor(info.numberOfFrames, options.framePolicy ?? 'all')) {
        const s: Sample = { file, frame, rows: info.rows, columns: info.columns, samplesPerPixel: info.samplesPerPixel, fileBytes: st.size };
        if (info.modality) s.modality = info.modality.toUpperCase();
        samples.push(s);
      }
    } catch (err) {
      quarantine.push({ file, code: isDicomError(err) ? err.code : 'UNEXPECTED', message: err instanceof Error ? err.message : String(err) });
    }
  }
  return { samples, quarantine };
}
