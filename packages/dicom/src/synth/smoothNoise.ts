import type { Rng } from './prng.js';

/**
 * Smooth random fields for anatomy texture and MR bias: value noise on a coarse lattice,
 * interpolated with a smoothstep (C1) blend. Sampled at normalised coordinates in [-1, 1].
 */
export class SmoothNoise {
  private readonly values: Float32Array;

  /** @param cells lattice cells across [-1, 1]; more cells, finer texture. */
  constructor(rng: Rng, private readonly cells: number) {
    this.values = new Float32Array((cells + 1) * (cells + 1));
    for (let i = 0; i < this.values.length; i++) this.values[i] = rng.float() * 2 - 1;
  }

  /** Value in [-1, 1] at (u, v), each in [-1, 1] (clamped outside). */
  at(u: number, v: number): number {
    const n = this.cells;
    const x = Math.min(Math.max((u + 1) * 0.5 * n, 0), n - 1e-6);
    const y = Math.min(Math.max((v + 1) * 0.5 * n, 0), n - 1e-6);
    const i = Math.floor(x);
    const j = Math.floor(y);
    const fx = x - i;
    const fy = y - j;
    const sx = fx * fx * (3 - 2 * fx);
    const sy = fy * fy * (3 - 2 * fy);
    const w = n + 1;
    const a = this.values[j * w + i]!;
    const b = this.values[j * w + i + 1]!;
    const c = this.values[(j + 1) * w + i]!;
    const d = this.values[(j + 1) * w + i + 1]!;
    return a + (b - a) * sx + (c - a) * sy + (a - b - c + d) * sx * sy;
  }
}

/** 0 below `edge0`, 1 above `edge1`, smooth in between. */
export function smoothstep(edge0: number, edge1: number, x: number): number {
  const t = Math.min(Math.max((x - edge0) / (edge1 - edge0), 0), 1);
  return t * t * (3 - 2 * t);
}
