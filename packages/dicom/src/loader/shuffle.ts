/**
 * Seeded permutations for per-epoch shuffling: the same (seed, epoch) always gives the same
 * order, on every machine, so a site's training run can be replayed.
 */

/** mulberry32: a small 32-bit PRNG with a full 2^32 period; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes seed and epoch into one 32-bit seed (murmur3 finaliser), so nearby epochs decorrelate. */
export function epochSeed(seed: number, epoch: number): number {
  let h = (seed >>> 0) ^ Math.imul(epoch + 1, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A uniformly random permutation of 0..n−1 (Fisher–Yates) for this seed and epoch. */
export function permutation(n: number, seed: number, epoch: number): Uint32Array {
  const rand = mulberry32(epochSeed(seed, epoch));
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/**
 * A seeded order that keeps each group's members next to each other: the groups in a random
 * order, each group's members shuffled within it. Batches cut from it hold several images of one
 * study or patient, which MICLe-style pairing (two images of one group as a positive pair) needs.
 * @param groups [n] group key of each item
 */
export function groupedPermutation(groups: readonly string[], seed: number, epoch: number): Uint32Array {
  const members = new Map<string, number[]>();
  groups.forEach((g, i) => {
    const list = members.get(g);
    if (list) list.push(i);
    else members.set(g, [i]);
  });
  const lists = [...members.values()];
  const groupOrder = permutation(lists.length, seed, epoch);
  const out = new Uint32Array(groups.length);
  let k = 0;
  for (const gi of groupOrder) {
    const list = lists[gi]!;
    const inner = permutation(list.length, seed ^ 0x5bd1e995, epoch * 7919 + gi);
    for (const m of inner) out[k++] = list[m]!;
  }
  return out;
}
