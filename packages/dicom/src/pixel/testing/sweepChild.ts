/**
 * Child process of the robustness sweep (image.sweep.test.ts): reads a job file, then for each
 * file from `start` on runs readDicomFile and every frame at every stage, compares the frames the
 * reference produced, and prints one JSON line per file. Run as a child so that a hang or a crash
 * (WASM abort, process exit) is caught by the parent and pinned on the file being processed.
 * Usage: sweepChild.ts JOBS.json START
 */
import { readFileSync } from 'node:fs';
import type { PixelStage } from '../../attributes.js';
import { isDicomError } from '../../errors.js';
import { readDicomFile } from '../../parse.js';
import { maxError, readF32 } from './pydicomReference.js';

export interface SweepJob {
  file: string;
  /** "frame:stage" → reference float32 file. */
  outputs: Record<string, string>;
  /** Lossy syntax: stored within ±1 (× slope), display within 0.02. */
  lossy: boolean;
}

export interface SweepResult {
  index: number;
  outcome: 'decoded' | 'mismatch' | 'dicom-error' | 'exception';
  /** DicomError code. */
  code?: string;
  message?: string;
  frames?: number;
  /** How many reference outputs were compared. */
  compared?: number;
  transferSyntax?: string;
}

const STAGES: PixelStage[] = ['stored', 'modality', 'display'];

function tolerance(stage: string, lossy: boolean, slope: number, expected: number): number {
  if (stage === 'padding') return 0;
  if (stage === 'display') return lossy ? 0.02 : 1e-5;
  if (lossy) return Math.abs(slope) + 1e-4;
  return stage === 'stored' ? 0 : 1e-4 * Math.max(1, Math.abs(expected));
}

async function sweep(job: SweepJob, index: number): Promise<SweepResult> {
  const image = await readDicomFile(job.file);
  const { info } = image;
  let compared = 0;
  for (let frame = 0; frame < info.numberOfFrames; frame++) {
    const actual: Record<string, Float32Array> = {};
    for (const stage of STAGES) {
      const px = await image.frame(frame, stage);
      const n = info.rows * info.columns * image.samplesAt(stage);
      if (px.length !== n) return { index, outcome: 'mismatch', message: `frame ${frame} ${stage}: ${px.length} samples, expected ${n}` };
      if (px.some((v) => !Number.isFinite(v))) return { index, outcome: 'mismatch', message: `frame ${frame} ${stage}: non-finite values` };
      if (stage === 'display' && px.some((v) => v < 0 || v > 1)) return { index, outcome: 'mismatch', message: `frame ${frame} display outside [0, 1]` };
      actual[stage] = px;
    }
    const mask = await image.paddingMask(frame);
    if (mask) actual.padding = Float32Array.from(mask);
    for (const stage of [...STAGES, 'padding']) {
      const ref = job.outputs[`${frame}:${stage}`];
      if (!ref) continue;
      const ours = actual[stage];
      if (!ours) return { index, outcome: 'mismatch', message: `frame ${frame}: the reference has a ${stage} stage and we do not` };
      const expected = readF32(ref);
      if (expected.length !== ours.length) return { index, outcome: 'mismatch', message: `frame ${frame} ${stage}: ${ours.length} samples, reference ${expected.length}` };
      const { error, at } = maxError(ours, expected, false);
      const tol = tolerance(stage, job.lossy, info.rescaleSlope, expected[at] ?? 0);
      if (error > tol) {
        return { index, outcome: 'mismatch', message: `frame ${frame} ${stage} at ${at}: ${ours[at]} vs reference ${expected[at]} (|error| ${error} > ${tol})` };
      }
      compared++;
    }
  }
  return { index, outcome: 'decoded', frames: info.numberOfFrames, compared, transferSyntax: info.transferSyntaxUID };
}

const [jobsPath, startArg] = process.argv.slice(2);
const jobs = JSON.parse(readFileSync(jobsPath!, 'utf8')) as SweepJob[];
for (let i = Number(startArg ?? 0); i < jobs.length; i++) {
  let result: SweepResult;
  try {
    result = await sweep(jobs[i]!, i);
  } catch (err) {
    result = isDicomError(err)
      ? { index: i, outcome: 'dicom-error', code: err.code, message: err.message }
      : { index: i, outcome: 'exception', message: err instanceof Error ? `${err.name}: ${err.message}\n${err.stack}` : String(err) };
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
