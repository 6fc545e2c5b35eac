import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Debian's python with torch (the pyenv `python3` on PATH has no torch). */
export const TORCH_PYTHON = '/usr/bin/python3';

/**
 * Evaluates a loss with the PyTorch reference script (losses_torch.py); args are nested number arrays.
 * Throws with install instructions when torch is missing, so a test fails rather than skips.
 */
export function torchLoss(loss: string, args: Record<string, unknown>): number {
  const script = fileURLToPath(new URL('./losses_torch.py', import.meta.url));
  if (!existsSync(TORCH_PYTHON)) throw new Error(`${TORCH_PYTHON} not found: apt-get install python3 python3-torch`);
  const r = spawnSync(TORCH_PYTHON, [script], { input: JSON.stringify({ loss, args }), encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`PyTorch reference failed (needs Debian python3-torch: apt-get install python3-torch): ${r.stderr}`);
  }
  return (JSON.parse(r.stdout) as { value: number }).value;
}
