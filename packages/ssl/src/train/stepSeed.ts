/**
 * The seed of one training step's randomness (augmentations), from the run seed and the 0-based
 * global step alone. A resumed run therefore draws exactly what an uninterrupted one would, with
 * no generator state to carry in the checkpoint. Murmur3's finaliser mixes the pair so
 * neighbouring steps get unrelated streams.
 */
export function stepSeed(seed: number, step: number): number {
  let h = (Math.trunc(seed) ^ Math.imul(step + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
