import { Rng } from './prng.js';
import { SmoothNoise, smoothstep } from './smoothNoise.js';

/**
 * A chest-radiograph-like phantom (PA view): torso soft tissue thinning towards the edges,
 * two lung fields (dark) bounded below by the diaphragm domes, rib bands arching over them,
 * clavicles, spine and mediastinum, the heart over the lower left lung, and vessel-like texture.
 * Values are "brightness on a MONOCHROME2 display" in about [0, 1]: 0 air, ~1 dense bone.
 * Coordinates: u to the image right (patient's left), v downwards, both in [-1, 1].
 */

/** What stays the same for one patient across images and studies. */
export interface ChestAnatomy {
  bodyWidth: number;
  lungWidth: number;
  lungHeight: number;
  lungCentreX: number;
  heartSize: number;
  heartShift: number;
  diaphragm: number;
  ribSpacing: number;
  ribPhase: number;
  /** Seeds the vessel texture, so a patient's lungs look alike in every image. */
  textureSeed: number;
}

/** What changes from one exposure to the next: positioning and breath hold. */
export interface ChestView {
  /** Radians, a few degrees either way. */
  rotation: number;
  shiftX: number;
  shiftY: number;
  /** Lung height factor: deeper inspiration, taller lungs and lower diaphragm. */
  inspiration: number;
}

/** A round opacity in a lung field, in anatomy coordinates. */
export interface Nodule {
  u: number;
  v: number;
  radius: number;
  /** Added brightness at the centre. */
  contrast: number;
}

export function sampleChestAnatomy(rng: Rng): ChestAnatomy {
  const bodyWidth = rng.uniform(0.78, 0.95);
  return {
    bodyWidth,
    lungWidth: bodyWidth * rng.uniform(0.4, 0.46),
    lungHeight: rng.uniform(0.6, 0.7),
    lungCentreX: bodyWidth * rng.uniform(0.46, 0.52),
    heartSize: rng.uniform(0.85, 1.2),
    heartShift: rng.uniform(-0.03, 0.05),
    diaphragm: rng.uniform(0.42, 0.52),
    ribSpacing: rng.uniform(0.13, 0.16),
    ribPhase: rng.uniform(0, 1),
    textureSeed: rng.nextUint32(),
  };
}

export function sampleChestView(rng: Rng): ChestView {
  return {
    rotation: (rng.uniform(-4, 4) * Math.PI) / 180,
    shiftX: rng.uniform(-0.05, 0.05),
    shiftY: rng.uniform(-0.05, 0.05),
    inspiration: rng.uniform(0.9, 1.08),
  };
}

/** How much of (u, v) is lung, 0..1, for the given breath hold. */
export function lungField(a: ChestAnatomy, inspiration: number, u: number, v: number): number {
  let lung = 0;
  for (let side = -1; side <= 1; side += 2) {
    const cx = side * a.lungCentreX;
    const cy = -0.08 + (a.diaphragm - 0.47) * 0.5;
    const h = a.lungHeight * inspiration;
    const du = (u - cx) / a.lungWidth;
    const dv = (v - cy) / h;
    const e = du * du + dv * dv;
    // The medial border is straighter than an ellipse: cut the inner side with the mediastinum.
    const medial = smoothstep(0.1, 0.17, side * u);
    // Diaphragm dome: the lung stops at a curve highest at the middle of each hemithorax.
    const dome = cy + h * 0.9 - 0.12 * (1 - du * du);
    const belowDome = smoothstep(dome - 0.015, dome + 0.015, v);
    lung = Math.max(lung, (1 - smoothstep(0.82, 1.0, e)) * medial * (1 - belowDome));
  }
  return lung;
}

/** How much of (u, v) is heart shadow, 0..1. */
function heartField(a: ChestAnatomy, inspiration: number, u: number, v: number): number {
  const hx = 0.1 + a.heartShift;
  const hy = 0.24 + (1 - inspiration) * 0.3;
  const du = (u - hx) / (0.3 * a.heartSize);
  const dv = (v - hy) / (0.24 * a.heartSize);
  return 1 - smoothstep(0.6, 1.0, du * du + dv * dv);
}

/** Draws a nodule whose whole disc lies inside a lung field, away from the heart. */
export function sampleNodule(rng: Rng, a: ChestAnatomy): Nodule {
  const radius = rng.uniform(0.14, 0.22);
  for (let attempt = 0; attempt < 1000; attempt++) {
    const u = rng.uniform(-1, 1);
    const v = rng.uniform(-0.8, 0.6);
    const inside = [0, 1, 2, 3, 4].every((k) => {
      const [du, dv] = k === 0 ? [0, 0] : [Math.cos((k * Math.PI) / 2) * radius, Math.sin((k * Math.PI) / 2) * radius];
      return lungField(a, 0.9, u + du, v + dv) > 0.9 && heartField(a, 0.9, u + du, v + dv) < 0.05;
    });
    if (inside) return { u, v, radius, contrast: rng.uniform(0.3, 0.65) };
  }
  throw new Error('no room for a nodule in this lung field; the anatomy parameters are out of range');
}

export interface RenderedPhantom {
  /** size × size brightness values, row-major. */
  image: Float32Array;
  /** size × size, 1 where the anomaly is (its core), else 0. */
  lesionMask: Uint8Array;
}

/** Renders one exposure at size × size pixels. */
export function renderChest(size: number, a: ChestAnatomy, view: ChestView, nodule?: Nodule): RenderedPhantom {
  const image = new Float32Array(size * size);
  const lesionMask = new Uint8Array(size * size);
  const texture = new SmoothNoise(new Rng(a.textureSeed), 22);
  const fine = new SmoothNoise(new Rng(a.textureSeed ^ 0x5bd1e995), 48);
  const cos = Math.cos(view.rotation);
  const sin = Math.sin(view.rotation);
  for (let y = 0; y < size; y++) {
    const Y = (2 * (y + 0.5)) / size - 1;
    for (let x = 0; x < size; x++) {
      const X = (2 * (x + 0.5)) / size - 1;
      const u = cos * (X - view.shiftX) + sin * (Y - view.shiftY);
      const v = -sin * (X - view.shiftX) + cos * (Y - view.shiftY);
      let d = 0.03;
      const t = Math.abs(u) / (a.bodyWidth * (1 - 0.12 * smoothstep(0.55, 1.0, -v)));
      const body = 1 - smoothstep(0.96, 1.0, t);
      if (body === 0) {
        // Outside the torso there is only air (every structure below lies inside it).
        image[y * size + x] = d;
        continue;
      }
      d += body * (0.3 + 0.22 * Math.sqrt(Math.max(0, 1 - t * t)));
      const lung = lungField(a, view.inspiration, u, v);
      d -= 0.3 * lung;
      d += lung * (0.035 * texture.at(u, v) + 0.02 * fine.at(u, v));
      // Posterior ribs: bands arching down and out from the spine.
      const arc = v - 0.35 * Math.abs(u) + 0.45 * u * u;
      const rib = smoothstep(0.35, 0.75, Math.cos((2 * Math.PI * (arc / a.ribSpacing + a.ribPhase))));
      d += body * smoothstep(-0.9, -0.7, v) * (1 - smoothstep(a.diaphragm - 0.1, a.diaphragm + 0.05, v)) * 0.06 * rib * smoothstep(0.08, 0.16, Math.abs(u));
      // Clavicles.
      const clav = Math.abs(v - (-0.66 + 0.18 * Math.abs(u)));
      d += 0.09 * (1 - smoothstep(0.015, 0.035, clav)) * smoothstep(0.08, 0.12, Math.abs(u)) * (1 - smoothstep(0.5, 0.6, Math.abs(u)));
      // Mediastinum and spine, with vertebral bodies.
      d += body * 0.12 * (1 - smoothstep(0.1 + 0.04 * Math.max(0, -v), 0.2 + 0.04 * Math.max(0, -v), Math.abs(u)));
      const spine = 1 - smoothstep(0.045, 0.065, Math.abs(u));
      d += 0.12 * spine * (0.8 + 0.2 * Math.cos((2 * Math.PI * v) / 0.11));
      // The heart sits on the diaphragm: below it, its shadow merges into the abdomen.
      d += 0.13 * heartField(a, view.inspiration, u, v) * body * (1 - smoothstep(a.diaphragm - 0.04, a.diaphragm + 0.04, v));
      // Below the domes: liver / abdomen soft tissue.
      d += 0.08 * body * smoothstep(a.diaphragm - 0.05, a.diaphragm + 0.1, v) * (1 - lung);
      if (nodule) {
        const du = u - nodule.u;
        const dv = v - nodule.v;
        const r2 = (du * du + dv * dv) / (nodule.radius * nodule.radius);
        if (r2 < 1) {
          d += nodule.contrast * (1 - r2) ** 1.5;
          if (r2 < 0.49) lesionMask[y * size + x] = 1;
        }
      }
      image[y * size + x] = d;
    }
  }
  return { image, lesionMask };
}
