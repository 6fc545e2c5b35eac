import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's python, which carries numpy and torch (the plain `python3` on PATH may not). */
export const PYTHON = '/usr/bin/python3';

/**
 * Runs a python script as an independent reference for a test: `input` goes to stdin as JSON,
 * stdout is parsed as JSON. Throws with an install hint when python or a module is missing,
 * so a missing reference fails the test instead of skipping it.
 */
export function runPython<T>(script: string, input: unknown, modules: readonly string[] = ['numpy']): T {
  if (!existsSync(PYTHON)) {
    throw new Error(`${PYTHON} not found: install Debian python3 (apt-get install python3 python3-numpy python3-torch)`);
  }
  const r = spawnSync(PYTHON, ['-c', script], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
  if (r.status !== 0) {
    const missing = /No module named '([^']+)'/.exec(r.stderr);
    if (missing) {
      throw new Error(
        `python reference needs ${missing[1]} (uses ${modules.join(', ')}): apt-get install ${modules.map((m) => `python3-${m}`).join(' ')} ` +
          `(or FEDCL_BENCH_DEPS=1 bash scripts/test-deps.sh)`,
      );
    }
    throw new Error(`python reference failed (exit ${r.status}):\n${r.stderr}`);
  }
  return JSON.parse(r.stdout) as T;
}
