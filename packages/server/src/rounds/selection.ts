import { randomInt } from 'node:crypto';

export interface SelectionPolicy {
  minSites: number;
  fraction: number;
  quorumFraction: number;
  minUpdates: number;
}

/**
 * Chooses the sites of a round: max(minSites, ⌈fraction·n⌉) of the n available, uniformly at random
 * (Fisher–Yates with a CSPRNG), and the quorum: max(minUpdates, ⌈quorumFraction·k⌉) capped at k.
 * Returns undefined when fewer than minSites are available.
 */
export function selectSites(available: readonly string[], p: SelectionPolicy, random: (n: number) => number = randomInt): { selected: string[]; quorum: number } | undefined {
  const n = available.length;
  if (n < p.minSites) return undefined;
  const k = Math.min(n, Math.max(p.minSites, Math.ceil(p.fraction * n - 1e-9)));
  const pool = [...available];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = random(i + 1);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  const selected = pool.slice(0, k).sort();
  const quorum = Math.min(k, Math.max(p.minUpdates, Math.ceil(p.quorumFraction * k - 1e-9)));
  return { selected, quorum };
}
