/**
 * Per-series intensity statistics for MR, whose values have no physical unit: every image of
 * a series is normalised with the same percentiles / mean / std, estimated from a sample of
 * its frames, so slices keep their relative brightness.
 */
import { readDicomFile } from '../parse.js';
import { greyFrame, type FrameSource } from './toTensor.js';
import { type RobustStats, robustStats, type StatsOptions } from './stats.js';

/** One frame of a series: which file (opened on demand) and which frame in it. */
export interface FrameRef {
  file: string;
  frame: number;
}

export interface SeriesStatsOptions extends StatsOptions {
  /** At most this many frames are read, evenly spaced through the series; default 8. */
  maxFrames?: number;
  /** Opens a file (default: readDicomFile); called once per distinct file sampled. */
  open?: (file: string) => Promise<FrameSource>;
}

/** Evenly spaced picks of k out of n (0, …, n−1), always including the middle one when k = 1. */
export function evenlySpaced(n: number, k: number): number[] {
  if (n <= k) return Array.from({ length: n }, (_, i) => i);
  if (k === 1) return [Math.floor(n / 2)];
  return Array.from({ length: k }, (_, i) => Math.round((i * (n - 1)) / (k - 1)));
}

/**
 * Robust statistics of a series' modality-stage grey values (padding excluded) from up to
 * maxFrames evenly spaced frames. Frames that fail to decode are left out; undefined when
 * none could be read or all values are padding.
 */
export async function estimateSeriesStats(frames: readonly FrameRef[], options: SeriesStatsOptions = {}): Promise<RobustStats | undefined> {
  const open = options.open ?? ((file: string) => readDicomFile(file));
  const picks = evenlySpaced(frames.length, options.maxFrames ?? 8).map((i) => frames[i]!);
  const opened = new Map<string, Promise<FrameSource>>();
  const samples = [];
  for (const ref of picks) {
    try {
      if (!opened.has(ref.file)) opened.set(ref.file, open(ref.file));
      const src = await opened.get(ref.file)!;
      samples.push(await greyFrame(src, ref.frame, { kind: 'percentile' }));
    } catch {
      // A bad frame is the loader's to quarantine; the statistics use what can be read.
    }
  }
  return robustStats(samples.map((s) => ({ values: s.values, mask: s.mask })), options);
}
