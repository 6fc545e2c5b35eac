import type { OnnxGraph, OnnxNode } from './onnxGraph.js';

/** Geometry of a 2-D convolution in tfjs terms (NHWC activations, HWIO filters). */
export interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
}

/** Activations a FusedConv2D may apply after the bias. */
export type FusedActivation = 'linear' | 'relu' | 'relu6' | 'elu' | 'leakyrelu' | 'sigmoid' | 'prelu';

const TO_NCHW = [0, 3, 1, 2];
const TO_NHWC = [0, 2, 3, 1];
const HWIO_TO_OIHW = [3, 2, 0, 1];

/** A stable cache key for a geometry. */
export function geometryKey(g: ConvGeometry): string {
  return Object.values(g).join(',');
}

/** Output extent ONNX computes for one spatial axis (floor rounding, explicit pads). */
export function onnxConvOutSize(inSize: number, filter: number, stride: number, dilation: number, padBefore: number, padAfter: number): number {
  return Math.floor((inSize + padBefore + padAfter - ((filter - 1) * dilation + 1)) / stride) + 1;
}

/** True when ONNX's Conv with these pads yields exactly tfjs's output size. */
export function onnxAgreesWithTfjs(g: ConvGeometry): boolean {
  return (
    g.padTop >= 0 && g.padBottom >= 0 && g.padLeft >= 0 && g.padRight >= 0 &&
    onnxConvOutSize(g.inHeight, g.filterHeight, g.strideHeight, g.dilationHeight, g.padTop, g.padBottom) === g.outHeight &&
    onnxConvOutSize(g.inWidth, g.filterWidth, g.strideWidth, g.dilationWidth, g.padLeft, g.padRight) === g.outWidth
  );
}

function convAttributes(g: ConvGeometry) {
  return {
    kernel_shape: [g.filterHeight, g.filterWidth],
    strides: [g.strideHeight, g.strideWidth],
    dilations: [g.dilationHeight, g.dilationWidth],
    pads: [g.padTop, g.padLeft, g.padBottom, g.padRight],
  };
}

function activationNodes(activation: FusedActivation, input: string, output: string, leakyreluAlpha: number): OnnxNode[] {
  switch (activation) {
    case 'linear':
      return [{ op: 'Identity', inputs: [input], outputs: [output] }];
    case 'relu':
      return [{ op: 'Relu', inputs: [input], outputs: [output] }];
    case 'relu6':
      return [{ op: 'Clip', inputs: [input, 'clip_min', 'clip_max'], outputs: [output] }];
    case 'elu':
      return [{ op: 'Elu', inputs: [input], outputs: [output], attributes: { alpha: { float: 1 } } }];
    case 'leakyrelu':
      return [{ op: 'LeakyRelu', inputs: [input], outputs: [output], attributes: { alpha: { float: leakyreluAlpha } } }];
    case 'sigmoid':
      return [{ op: 'Sigmoid', inputs: [input], outputs: [output] }];
    case 'prelu':
      return [{ op: 'PRelu', inputs: [input, 'alpha'], outputs: [output] }];
  }
}

/**
 * Forward convolution: x [B,H,W,Ci], w [kh,kw,Ci,Co] (+ bias [Co], prelu alpha broadcastable to
 * the output) → y [B,OH,OW,Co], computed in NCHW by onnxruntime between two layout transposes.
 */
export function conv2dGraph(
  g: ConvGeometry,
  fused: { bias: boolean; activation: FusedActivation; preluShape?: number[]; leakyreluAlpha?: number } = { bias: false, activation: 'linear' },
): OnnxGraph {
  const inputs = [
    { name: 'x', shape: [g.batch, g.inHeight, g.inWidth, g.inChannels] },
    { name: 'w', shape: [g.filterHeight, g.filterWidth, g.inChannels, g.outChannels] },
  ];
  if (fused.bias) inputs.push({ name: 'b', shape: [g.outChannels] });
  if (fused.activation === 'prelu') inputs.push({ name: 'alpha', shape: fused.preluShape ?? [1] });
  const nodes: OnnxNode[] = [
    { op: 'Transpose', inputs: ['x'], outputs: ['xt'], attributes: { perm: TO_NCHW } },
    { op: 'Transpose', inputs: ['w'], outputs: ['wt'], attributes: { perm: HWIO_TO_OIHW } },
    { op: 'Conv', inputs: fused.bias ? ['xt', 'wt', 'b'] : ['xt', 'wt'], outputs: ['yt'], attributes: convAttributes(g) },
    { op: 'Transpose', inputs: ['yt'], outputs: ['ya'], attributes: { perm: TO_NHWC } },
    ...activationNodes(fused.activation, 'ya', 'y', fused.leakyreluAlpha ?? 0.2),
  ];
  return {
    inputs,
    outputs: [{ name: 'y', shape: [g.batch, g.outHeight, g.outWidth, g.outChannels] }],
    nodes,
    floatConstants: fused.activation === 'relu6' ? [{ name: 'clip_min', value: 0 }, { name: 'clip_max', value: 6 }] : [],
  };
}

/**
 * Gradient w.r.t. the input: dy [B,OH,OW,Co], w [kh,kw,Ci,Co] → dx [B,H,W,Ci], as ONNX
 * ConvTranspose (the adjoint of Conv) with output_padding restoring the rows a strided
 * forward convolution did not reach.
 */
export function conv2dBackpropInputGraph(g: ConvGeometry): OnnxGraph {
  const spanH = (g.outHeight - 1) * g.strideHeight + (g.filterHeight - 1) * g.dilationHeight + 1 - g.padTop - g.padBottom;
  const spanW = (g.outWidth - 1) * g.strideWidth + (g.filterWidth - 1) * g.dilationWidth + 1 - g.padLeft - g.padRight;
  return {
    inputs: [
      { name: 'dy', shape: [g.batch, g.outHeight, g.outWidth, g.outChannels] },
      { name: 'w', shape: [g.filterHeight, g.filterWidth, g.inChannels, g.outChannels] },
    ],
    outputs: [{ name: 'dx', shape: [g.batch, g.inHeight, g.inWidth, g.inChannels] }],
    nodes: [
      { op: 'Transpose', inputs: ['dy'], outputs: ['dyt'], attributes: { perm: TO_NCHW } },
      { op: 'Transpose', inputs: ['w'], outputs: ['wt'], attributes: { perm: HWIO_TO_OIHW } },
      {
        op: 'ConvTranspose',
        inputs: ['dyt', 'wt'],
        outputs: ['dxt'],
        attributes: { ...convAttributes(g), output_padding: [g.inHeight - spanH, g.inWidth - spanW] },
      },
      { op: 'Transpose', inputs: ['dxt'], outputs: ['dx'], attributes: { perm: TO_NHWC } },
    ],
  };
}

/** True when the ConvTranspose form can express this geometry (output padding within range). */
export function backpropInputExpressible(g: ConvGeometry): boolean {
  const spanH = (g.outHeight - 1) * g.strideHeight + (g.filterHeight - 1) * g.dilationHeight + 1 - g.padTop - g.padBottom;
  const spanW = (g.outWidth - 1) * g.strideWidth + (g.filterWidth - 1) * g.dilationWidth + 1 - g.padLeft - g.padRight;
  const opH = g.inHeight - spanH;
  const opW = g.inWidth - spanW;
  return (
    g.padTop >= 0 && g.padBottom >= 0 && g.padLeft >= 0 && g.padRight >= 0 &&
    opH >= 0 && opW >= 0 && opH < Math.max(g.strideHeight, g.dilationHeight) && opW < Math.max(g.strideWidth, g.dilationWidth)
  );
}

/** Rows per GEMM in the filter gradient: MLAS is slow on one GEMM with a huge inner dimension. */
const FILTER_GRAD_CHUNK = 512;

/** The divisor of `n` closest to `target` (so the positions split into equal chunks). */
export function divisorNear(n: number, target: number): number {
  let best = 1;
  for (let d = 1; d * d <= n; d++) {
    if (n % d !== 0) continue;
    for (const c of [d, n / d]) if (Math.abs(c - target) < Math.abs(best - target)) best = c;
  }
  return best;
}

/**
 * Gradient w.r.t. the filter: x [B,H,W,Ci], dy [B,OH,OW,Co] → dw [kh,kw,Ci,Co],
 * dw[(ky,kx,ci), co] = Σ_p patches[p, (ky,kx,ci)] · dy[p, co] over the P = B·OH·OW output
 * positions. The patch matrix is built in NHWC from kh·kw strided slices of the padded input
 * (no layout transpose of x); the sum over P is split into equal chunks multiplied as one
 * batched MatMul and then reduced.
 */
export function conv2dBackpropFilterGraph(g: ConvGeometry): OnnxGraph {
  const positions = g.batch * g.outHeight * g.outWidth;
  const taps = g.filterHeight * g.filterWidth;
  const rows = divisorNear(positions, FILTER_GRAD_CHUNK);
  const chunks = positions / rows;
  const nodes: OnnxNode[] = [{ op: 'Pad', inputs: ['x', 'pads'], outputs: ['xp'] }];
  const constants = [{ name: 'pads', values: [0, g.padTop, g.padLeft, 0, 0, g.padBottom, g.padRight, 0] }];
  const tapNames: string[] = [];
  for (let ky = 0; ky < g.filterHeight; ky++) {
    for (let kx = 0; kx < g.filterWidth; kx++) {
      const t = `tap_${ky}_${kx}`;
      const y0 = ky * g.dilationHeight;
      const x0 = kx * g.dilationWidth;
      constants.push(
        { name: `${t}_starts`, values: [0, y0, x0, 0] },
        { name: `${t}_ends`, values: [g.batch, y0 + (g.outHeight - 1) * g.strideHeight + 1, x0 + (g.outWidth - 1) * g.strideWidth + 1, g.inChannels] },
      );
      nodes.push({ op: 'Slice', inputs: ['xp', `${t}_starts`, `${t}_ends`, 'axes', 'steps'], outputs: [t] });
      tapNames.push(t);
    }
  }
  constants.push(
    { name: 'axes', values: [0, 1, 2, 3] },
    { name: 'steps', values: [1, g.strideHeight, g.strideWidth, 1] },
    { name: 'patch_shape', values: [chunks, rows, taps * g.inChannels] },
    { name: 'dy_shape', values: [chunks, rows, g.outChannels] },
    { name: 'reduce_axes', values: [0] },
    { name: 'dw_shape', values: [g.filterHeight, g.filterWidth, g.inChannels, g.outChannels] },
  );
  nodes.push(
    taps === 1
      ? { op: 'Identity', inputs: [tapNames[0]!], outputs: ['patches4'] }
      : { op: 'Concat', inputs: tapNames, outputs: ['patches4'], attributes: { axis: 3 } },
    { op: 'Reshape', inputs: ['patches4', 'patch_shape'], outputs: ['patches'] },
    { op: 'Reshape', inputs: ['dy', 'dy_shape'], outputs: ['dy3'] },
    { op: 'Transpose', inputs: ['dy3'], outputs: ['dyt'], attributes: { perm: [0, 2, 1] } },
    { op: 'MatMul', inputs: ['dyt', 'patches'], outputs: ['parts'] },
    { op: 'ReduceSum', inputs: ['parts', 'reduce_axes'], outputs: ['dwt'], attributes: { keepdims: 0 } },
    { op: 'Transpose', inputs: ['dwt'], outputs: ['dw2'], attributes: { perm: [1, 0] } },
    { op: 'Reshape', inputs: ['dw2', 'dw_shape'], outputs: ['dw'] },
  );
  return {
    inputs: [
      { name: 'x', shape: [g.batch, g.inHeight, g.inWidth, g.inChannels] },
      { name: 'dy', shape: [g.batch, g.outHeight, g.outWidth, g.outChannels] },
    ],
    outputs: [{ name: 'dw', shape: [g.filterHeight, g.filterWidth, g.inChannels, g.outChannels] }],
    nodes,
    constants,
  };
}

/**
 * The same gradient as one forward convolution over swapped operands: input channels as the batch,
 * the batch as channels, dy as the filter, dilation = forward stride; then a slice and a transpose
 * to HWIO. Cheaper than the patch matrix when there are few input channels.
 */
export function conv2dBackpropFilterAsConvGraph(g: ConvGeometry): OnnxGraph {
  const spanH = (g.outHeight - 1) * g.strideHeight + 1;
  const spanW = (g.outWidth - 1) * g.strideWidth + 1;
  const padBottom = Math.max(0, (g.filterHeight - 1) * g.dilationHeight + spanH - g.inHeight - g.padTop);
  const padRight = Math.max(0, (g.filterWidth - 1) * g.dilationWidth + spanW - g.inWidth - g.padLeft);
  return {
    inputs: [
      { name: 'x', shape: [g.batch, g.inHeight, g.inWidth, g.inChannels] },
      { name: 'dy', shape: [g.batch, g.outHeight, g.outWidth, g.outChannels] },
    ],
    outputs: [{ name: 'dw', shape: [g.filterHeight, g.filterWidth, g.inChannels, g.outChannels] }],
    nodes: [
      { op: 'Transpose', inputs: ['x'], outputs: ['xs'], attributes: { perm: [3, 0, 1, 2] } },
      { op: 'Transpose', inputs: ['dy'], outputs: ['dys'], attributes: { perm: [3, 0, 1, 2] } },
      {
        op: 'Conv',
        inputs: ['xs', 'dys'],
        outputs: ['dwl'],
        attributes: {
          kernel_shape: [g.outHeight, g.outWidth],
          strides: [g.dilationHeight, g.dilationWidth],
          dilations: [g.strideHeight, g.strideWidth],
          pads: [g.padTop, g.padLeft, padBottom, padRight],
        },
      },
      { op: 'Slice', inputs: ['dwl', 'starts', 'ends', 'axes'], outputs: ['dws'] },
      { op: 'Transpose', inputs: ['dws'], outputs: ['dw'], attributes: { perm: [2, 3, 0, 1] } },
    ],
    constants: [
      { name: 'starts', values: [0, 0] },
      { name: 'ends', values: [g.filterHeight, g.filterWidth] },
      { name: 'axes', values: [2, 3] },
    ],
  };
}
