/**
 * Per-series statistics for the loader: computed once per series (from an evenly spaced
 * sample of its frames, via the dataset index's grouping) and cached, for the modalities
 * normalised per series (MR by default).
 */
import { join } from 'node:path';
import type { DatasetIndex } from '../dataset/schema.js';
import { estimateSeriesStats, type SeriesStatsOptions } from '../tensor/seriesStats.js';
import type { RobustStats } from '../tensor/stats.js';
import type { Sample } from './samples.js';

export interface SeriesStatsProviderOptions extends SeriesStatsOptions {
  /** Modalities normalised with series statistics, default ['MR']. */
  modalities?: readonly string[];
}

/** A `LoaderOptions.seriesStats` function backed by an index. */
export function seriesStatsFromIndex(index: DatasetIndex, options: SeriesStatsProviderOptions = {}): (sample: Sample) => Promise<RobustStats | undefined> {
  const modalities = new Set((options.modalities ?? ['MR']).map((m) => m.toUpperCase()));
  const cache = new Map<string, Promise<RobustStats | undefined>>();
  return (sample) => {
    const seriesId = sample.ids?.series;
    if (seriesId === undefined || !modalities.has(sample.modality ?? '')) return Promise.resolve(undefined);
    let stats = cache.get(seriesId);
    if (!stats) {
      const series = index.series[seriesId];
      const frames = (series?.files ?? []).flatMap((path) =>
        Array.from({ length: index.files[path]?.frames ?? 0 }, (_, frame) => ({ file: join(index.root, path), frame })),
      );
      stats = estimateSeriesStats(frames, options);
      cache.set(seriesId, stats);
    }
    return stats;
  };
}
