import { spawnSync } from 'node:child_process';

/**
 * Runs a Python snippet under Debian's /usr/bin/python3 (the interpreter with numpy, PIL and
 * pydicom), feeding it JSON on stdin and parsing the JSON it prints. Tests use it to get
 * values from independent tools. Fails with an install hint when the tools are missing.
 */
export function runPythonReference<T>(script: string, input: unknown): T {
  const python = process.env.FEDCL_PYTHON ?? '/usr/bin/python3';
  const r = spawnSync(python, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.error || r.status !== 0) {
    throw new Error(
      `reference python (${python}) failed: ${r.error?.message ?? r.stderr}\n` +
        'Install the reference tools with `bash scripts/test-deps.sh` (python3-numpy, python3-pil, python3-pydicom).',
    );
  }
  return JSON.parse(r.stdout) as T;
}
