import { Rng } from './prng.js';
import { SmoothNoise, smoothstep } from './smoothNoise.js';
import type { RenderedPhantom } from './chestPhantom.js';

/**
 * A brain-MR-slice-like phantom (axial, FLAIR-like contrast): bright scalp, dark skull, dark
 * CSF rim, a grey-matter ribbon folded by sulci, white matter inside, lateral ventricles
 * (dark) whose size depends on the slice level, a midline falx. Values are signal in about
 * [0, 1] before noise and bias (the acquisition adds those). A lesion is a 3-D ellipsoid in
 * white matter: each slice shows its cross-section, so neighbouring slices of one series agree.
 * Coordinates: u right, v down, z slice level (0 through the ventricles), all about [-1, 1].
 */

export interface BrainAnatomy {
  headWidth: number;
  headHeight: number;
  scalp: number;
  skull: number;
  ventricleSize: number;
  gyrusFrequency: number;
  greyWhiteContrast: number;
  textureSeed: number;
}

export interface BrainView {
  /** Slice level. */
  z: number;
  rotation: number;
  shiftX: number;
  shiftY: number;
}

/** An ellipsoidal hyperintensity (3-D), in anatomy coordinates. */
export interface BrainLesion {
  u: number;
  v: number;
  z: number;
  radius: number;
  /** Half-extent along z. */
  depth: number;
  contrast: number;
}

export function sampleBrainAnatomy(rng: Rng): BrainAnatomy {
  return {
    headWidth: rng.uniform(0.7, 0.8),
    headHeight: rng.uniform(0.84, 0.94),
    scalp: rng.uniform(0.035, 0.05),
    skull: rng.uniform(0.04, 0.06),
    ventricleSize: rng.uniform(0.8, 1.3),
    gyrusFrequency: rng.uniform(22, 30),
    greyWhiteContrast: rng.uniform(0.08, 0.13),
    textureSeed: rng.nextUint32(),
  };
}

export function sampleBrainView(rng: Rng, z: number): BrainView {
  return { z, rotation: (rng.uniform(-5, 5) * Math.PI) / 180, shiftX: rng.uniform(-0.04, 0.04), shiftY: rng.uniform(-0.04, 0.04) };
}

/** Scale of the head outline at slice level z (a sphere-ish skull, narrowing away from the middle). */
function levelScale(z: number): number {
  return Math.sqrt(Math.max(0.05, 1 - 0.55 * z * z));
}

/** How deep inside white matter (u, v, z) is: 1 well inside, 0 outside (no cortex, no ventricle). */
export function whiteMatter(a: BrainAnatomy, u: number, v: number, z: number): number {
  const s = levelScale(z);
  const inner = ((u / (a.headWidth * s)) ** 2 + (v / (a.headHeight * s)) ** 2);
  const brain = 1 - smoothstep(0.42, 0.52, inner);
  return brain * (1 - ventricles(a, u, v, z));
}

function ventricles(a: BrainAnatomy, u: number, v: number, z: number): number {
  const level = Math.exp(-((z - 0.05) ** 2) / 0.08);
  const size = a.ventricleSize * level;
  if (size < 0.05) return 0;
  let vent = 0;
  for (let side = -1; side <= 1; side += 2) {
    // Frontal horns: curved bananas either side of the midline.
    const cu = side * 0.07 * size;
    const du = (u - cu - side * 0.12 * (v + 0.1) ** 2) / (0.075 * size);
    const dv = (v + 0.05) / (0.32 * size);
    vent = Math.max(vent, 1 - smoothstep(0.7, 1.0, du * du + dv * dv));
  }
  return vent;
}

/** Draws a lesion centred in white matter, small enough to stay there. */
export function sampleBrainLesion(rng: Rng, a: BrainAnatomy, zCentre: number): BrainLesion {
  const radius = rng.uniform(0.14, 0.2);
  for (let attempt = 0; attempt < 1000; attempt++) {
    const u = rng.uniform(-0.6, 0.6);
    const v = rng.uniform(-0.7, 0.7);
    const ok = [0, 1, 2, 3, 4].every((k) => {
      const [du, dv] = k === 0 ? [0, 0] : [Math.cos((k * Math.PI) / 2) * radius, Math.sin((k * Math.PI) / 2) * radius];
      return whiteMatter(a, u + du, v + dv, zCentre) > 0.95;
    });
    if (ok) return { u, v, z: zCentre, radius, depth: rng.uniform(0.12, 0.2), contrast: rng.uniform(0.3, 0.7) };
  }
  throw new Error('no room for a lesion in this slice; the anatomy parameters are out of range');
}

/** In-plane radius of the lesion on slice z (0 when the slice misses it). */
export function lesionRadiusAt(lesion: BrainLesion, z: number): number {
  const t = (z - lesion.z) / lesion.depth;
  return t * t >= 1 ? 0 : lesion.radius * Math.sqrt(1 - t * t);
}

/** Renders one axial slice at size × size pixels. */
export function renderBrain(size: number, a: BrainAnatomy, view: BrainView, lesion?: BrainLesion): RenderedPhantom {
  const image = new Float32Array(size * size);
  const lesionMask = new Uint8Array(size * size);
  const texture = new SmoothNoise(new Rng(a.textureSeed), 30);
  const sulcusJitter = new SmoothNoise(new Rng(a.textureSeed ^ 0x27d4eb2f), 8);
  const s = levelScale(view.z);
  const W = a.headWidth * s;
  const H = a.headHeight * s;
  const lesionR = lesion ? lesionRadiusAt(lesion, view.z) : 0;
  const cos = Math.cos(view.rotation);
  const sin = Math.sin(view.rotation);
  for (let y = 0; y < size; y++) {
    const Y = (2 * (y + 0.5)) / size - 1;
    for (let x = 0; x < size; x++) {
      const X = (2 * (x + 0.5)) / size - 1;
      const u = cos * (X - view.shiftX) + sin * (Y - view.shiftY);
      const v = -sin * (X - view.shiftX) + cos * (Y - view.shiftY);
      // Elliptic radius: 1 on the outer scalp surface.
      const r = Math.sqrt((u / W) ** 2 + (v / H) ** 2);
      const scalpIn = 1 - a.scalp / W;
      const skullIn = scalpIn - a.skull / W;
      const csfIn = skullIn - 0.025 / W;
      let d = 0;
      if (r < 1) {
        const head = 1 - smoothstep(0.97, 1.0, r);
        const scalp = smoothstep(scalpIn - 0.01, scalpIn + 0.01, r);
        const skull = smoothstep(skullIn - 0.01, skullIn + 0.01, r) * (1 - scalp);
        const brain = 1 - smoothstep(csfIn - 0.015, csfIn + 0.005, r);
        const csfRim = (1 - skull - scalp - brain);
        // Grey-matter ribbon under the surface, folded: sulci are dark CSF clefts running inwards.
        const depth = (csfIn - r) / csfIn;
        const theta = Math.atan2(v / H, u / W);
        const fold = Math.cos(a.gyrusFrequency * theta + 4 * sulcusJitter.at(u, v) + 14 * depth * (1 + sulcusJitter.at(v, -u)));
        const ribbon = 1 - smoothstep(0.08, 0.14, depth + 0.04 * fold);
        const sulcus = ribbon * smoothstep(0.88, 0.97, fold) * (1 - smoothstep(0.06 + 0.06 * (1 + sulcusJitter.at(v, u)), 0.2, depth));
        const wm = 0.62;
        const gm = wm + a.greyWhiteContrast;
        const vent = ventricles(a, u, v, view.z);
        let tissue = ribbon * gm + (1 - ribbon) * wm;
        tissue = tissue * (1 - sulcus) + 0.08 * sulcus;
        tissue = tissue * (1 - vent) + 0.06 * vent;
        // Falx: a thin dark midline in front of and behind the ventricles.
        const falx = (1 - smoothstep(0.006, 0.014, Math.abs(u))) * smoothstep(0.25, 0.4, Math.abs(v));
        tissue = tissue * (1 - 0.7 * falx);
        tissue += 0.03 * texture.at(u, v);
        d = head * (scalp * 0.85 + skull * 0.05 + csfRim * 0.1 + brain * tissue);
        if (lesionR > 0) {
          const dr2 = ((u - lesion!.u) ** 2 + (v - lesion!.v) ** 2) / (lesionR * lesionR);
          if (dr2 < 1) {
            d += lesion!.contrast * (1 - dr2) ** 1.2 * brain;
            if (dr2 < 0.49) lesionMask[y * size + x] = 1;
          }
        }
      }
      image[y * size + x] = d;
    }
  }
  return { image, lesionMask };
}
