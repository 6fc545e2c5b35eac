import type { HeadSpec } from './types.js';

/* Paper heads, one line each (lightly's heads as data). Sizes default to the papers' ResNet-50
 * values; methods pass sizes scaled to the encoder's feature dimension D. */

/** SimCLR projection g(·): Linear–BN–ReLU–Linear, hidden = D (2048), out 128. [arXiv:2002.05709 §2.1, B.9] */
export const simclrProjection = (d = 2048, hidden = d, out = 128): HeadSpec => [{ in: d, out: hidden, norm: 'bn', activation: 'relu' }, { in: hidden, out }];

/** MoCo v2 projection: Linear–ReLU–Linear, hidden 2048, out 128. [arXiv:2003.04297 §2] */
export const mocoV2Projection = (d = 2048, hidden = 2048, out = 128): HeadSpec => [{ in: d, out: hidden, activation: 'relu' }, { in: hidden, out }];

/** BYOL projector: Linear–BN–ReLU–Linear, hidden 4096, out 256. [arXiv:2006.07733 §3.3] */
export const byolProjection = (d = 2048, hidden = 4096, out = 256): HeadSpec => [{ in: d, out: hidden, norm: 'bn', activation: 'relu' }, { in: hidden, out }];

/** BYOL predictor: same MLP shape as the projector, 256 → 4096 → 256. [arXiv:2006.07733 §3.3] */
export const byolPrediction = (d = 256, hidden = 4096, out = 256): HeadSpec => [{ in: d, out: hidden, norm: 'bn', activation: 'relu' }, { in: hidden, out }];

/** SimSiam predictor: bottleneck Linear–BN–ReLU–Linear, 2048 → 512 → 2048. [arXiv:2011.10566 §4.1] */
export const simsiamPrediction = (d = 2048, hidden = 512, out = 2048): HeadSpec => [{ in: d, out: hidden, norm: 'bn', activation: 'relu' }, { in: hidden, out }];
