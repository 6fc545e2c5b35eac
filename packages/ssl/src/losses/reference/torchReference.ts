import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Debian's python with torch (the pyenv `python3` on PATH has no torch). */
export const TORCH_PYTHON = '/usr/bin/python3';

/**
 * Evaluates losses with the PyTorch reference script (losses_torch.py) in one process; args are
 * nested number arrays. Throws with install instructions when torch is missing (a test fails, not skips).
 */
export function torchLosses(cases: Array<{ loss: string; args: Record<string, unknown> }>): number[] {
  const script = fileURLToPath(new URL('./losses_torch.py', import.meta.url));
  if (!existsSync(TORCH_PYTHON)) throw new Error(`${TORCH_PYTHON} not found: apt-get install python3 python3-torch`);
  const r = spawnSync(TORCH_PYTHON, [script], { input: JSON.stringify(cases), encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`PyTorch reference failed (needs Debian python3-torch: apt-get install python3-torch): ${r.stderr}`);
  }
  return JSON.parse(r.stdout) as number[];
}
