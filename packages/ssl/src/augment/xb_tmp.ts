import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { initBackend } from '../backend/initBackend.js';
import { augmentBatch } from './augmentBatch.js';
import type { AugmentConfig } from './types.js';
const data = Float32Array.from({ length: 8 * 32 * 32 }, (_, i) => (Math.sin(i * 0.37) + 1) / 2);
const cfgs: Record<string, AugmentConfig> = {
  crop: { crop: { scale: [0.4, 1], ratio: [0.75, 1.33] } }, rotate: { rotate: { p: 1, degrees: 15 } }, rotateC: { rotate: { p: 1, degrees: 15, fill: 'constant' } }, flip: { flip: { p: 0.5 } },
  brightness: { brightness: { p: 1, delta: 0.2 } }, contrast: { contrast: { p: 1, range: [0.5, 1.5] } }, gamma: { gamma: { p: 1, range: [0.5, 1.5] } },
  blur: { blur: { p: 1, sigma: [0.1, 1.2] } }, noise: { noise: { p: 1, std: [0, 0.05] } },
};
const res: Record<string, Record<string, Float32Array>> = {};
for (const b of ['cpu', 'wasm']) {
  if (b === 'cpu') await tf.setBackend('cpu'); else await initBackend({ force: 'wasm' });
  const x = tf.tensor4d(data, [8, 32, 32, 1]);
  for (const [k, c] of Object.entries(cfgs)) (res[k] ??= {})[b] = augmentBatch(x, c, 5).dataSync() as Float32Array;
}
for (const [k, r] of Object.entries(res)) { let md = 0; for (let i = 0; i < r.cpu!.length; i++) md = Math.max(md, Math.abs(r.cpu![i]! - r.wasm![i]!)); console.log(k, md); }
