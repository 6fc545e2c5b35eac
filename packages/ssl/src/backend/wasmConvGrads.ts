import { getKernel, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { ConvGeometry } from './convGraphs.js';
import { convGeometry, isChannelsLast, type ConvAttrs } from './convGeometry.js';
import { heapView } from './wasmHeap.js';

/** Patch-matrix elements built per chunk: bounds the extra wasm heap a gradient needs (64 MiB). */
const CHUNK_ELEMENTS = 1 << 24;

function batchMatMul(backend: BackendWasm, a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): TensorInfo {
  const kernel = getKernel('BatchMatMul', 'wasm');
  if (!kernel) throw new Error('the wasm backend has no BatchMatMul kernel; register the wasm backend before fedcl kernels');
  return kernel.kernelFunc({ inputs: { a, b }, attrs: { transposeA, transposeB }, backend }) as TensorInfo;
}

/** Batch items per chunk so that one chunk's patch matrix stays under CHUNK_ELEMENTS. */
function chunkBatch(g: ConvGeometry): number {
  const perItem = g.outHeight * g.outWidth * g.filterHeight * g.filterWidth * g.inChannels;
  return Math.max(1, Math.min(g.batch, Math.floor(CHUNK_ELEMENTS / Math.max(1, perItem))));
}

/**
 * im2col, transposed: patchesT[(ky,kx,ci), p] for the output positions p of batch items
 * [b0, b0+nb) of x [B,H,W,Ci]; zero where the window reaches into padding.
 */
function im2colTransposed(x: Float32Array, g: ConvGeometry, b0: number, nb: number, out: Float32Array): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = g;
  const positions = nb * OH * OW;
  let row = 0;
  for (let ky = 0; ky < g.filterHeight; ky++) {
    for (let kx = 0; kx < g.filterWidth; kx++) {
      for (let c = 0; c < C; c++, row++) {
        const rowBase = row * positions;
        let p = 0;
        for (let b = b0; b < b0 + nb; b++) {
          for (let oy = 0; oy < OH; oy++) {
            const iy = oy * g.strideHeight + ky * g.dilationHeight - g.padTop;
            if (iy < 0 || iy >= H) {
              out.fill(0, rowBase + p, rowBase + p + OW);
              p += OW;
              continue;
            }
            const xRow = ((b * H + iy) * W) * C + c;
            for (let ox = 0; ox < OW; ox++, p++) {
              const ix = ox * g.strideWidth + kx * g.dilationWidth - g.padLeft;
              out[rowBase + p] = ix >= 0 && ix < W ? x[xRow + ix * C]! : 0;
            }
          }
        }
      }
    }
  }
}

/** im2col: patches[p, (ky,kx,ci)] for the output positions p of batch items [b0, b0+nb). */
function im2colRows(x: Float32Array, g: ConvGeometry, b0: number, nb: number, out: Float32Array): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = g;
  let dst = 0;
  for (let b = b0; b < b0 + nb; b++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        for (let ky = 0; ky < g.filterHeight; ky++) {
          const iy = oy * g.strideHeight + ky * g.dilationHeight - g.padTop;
          for (let kx = 0; kx < g.filterWidth; kx++, dst += C) {
            const ix = ox * g.strideWidth + kx * g.dilationWidth - g.padLeft;
            if (iy < 0 || iy >= H || ix < 0 || ix >= W) {
              out.fill(0, dst, dst + C);
              continue;
            }
            const src = ((b * H + iy) * W + ix) * C;
            for (let c = 0; c < C; c++) out[dst + c] = x[src + c]!;
          }
        }
      }
    }
  }
}

/**
 * col2im: scatter-adds cols[p, (ky,kx,ci)] of batch items [b0, b0+nb) back into dx [B,H,W,Ci]
 * (which must hold zeros, or earlier contributions, where it is accumulated).
 */
function col2imAdd(cols: Float32Array, g: ConvGeometry, b0: number, nb: number, dx: Float32Array): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = g;
  const K = g.filterHeight * g.filterWidth * C;
  let p = 0;
  for (let b = b0; b < b0 + nb; b++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++, p++) {
        const colBase = p * K;
        for (let ky = 0; ky < g.filterHeight; ky++) {
          const iy = oy * g.strideHeight + ky * g.dilationHeight - g.padTop;
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < g.filterWidth; kx++) {
            const ix = ox * g.strideWidth + kx * g.dilationWidth - g.padLeft;
            if (ix < 0 || ix >= W) continue;
            const src = colBase + (ky * g.filterWidth + kx) * C;
            const dst = ((b * H + iy) * W + ix) * C;
            for (let c = 0; c < C; c++) dx[dst + c]! += cols[src + c]!;
          }
        }
      }
    }
  }
}

/**
 * Conv2DBackpropFilter for the wasm backend (which ships none): x [B,H,W,Ci], dy [B,OH,OW,Co]
 * → dw [kh,kw,Ci,Co] = Σ_chunks patchesᵀ·dy, the patch matrix built per chunk of the batch and
 * multiplied by XNNPACK's matmul.
 */
export const conv2DBackpropFilterWasm: KernelFunc = ({ inputs, attrs, backend }) => {
  const wasm = backend as BackendWasm;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as ConvAttrs & { filterShape: [number, number, number, number] };
  if (!isChannelsLast(a)) throw new Error('fedcl Conv2DBackpropFilter (wasm) supports NHWC only; transpose NCHW inputs to NHWC');
  const g = convGeometry(x.shape, a.filterShape, a);
  const K = g.filterHeight * g.filterWidth * g.inChannels;
  const acc = new Float32Array(K * g.outChannels);
  const perChunk = chunkBatch(g);
  const positionsPerItem = g.outHeight * g.outWidth;
  for (let b0 = 0; b0 < g.batch; b0 += perChunk) {
    const nb = Math.min(perChunk, g.batch - b0);
    const positions = nb * positionsPerItem;
    const patches = wasm.makeOutput([1, K, positions], 'float32');
    const dyChunk = wasm.makeOutput([1, positions, g.outChannels], 'float32');
    im2colTransposed(heapView(wasm, x), g, b0, nb, heapView(wasm, patches));
    const dyStart = b0 * positionsPerItem * g.outChannels;
    heapView(wasm, dyChunk).set(heapView(wasm, dy).subarray(dyStart, dyStart + positions * g.outChannels));
    const part = batchMatMul(wasm, patches, dyChunk, false, false);
    const partView = heapView(wasm, part);
    for (let i = 0; i < acc.length; i++) acc[i]! += partView[i]!;
    wasm.disposeData(patches.dataId);
    wasm.disposeData(dyChunk.dataId);
    wasm.disposeData(part.dataId);
  }
  const out = wasm.makeOutput(a.filterShape, 'float32');
  heapView(wasm, out).set(acc);
  return out;
};

/**
 * Conv2DBackpropInput for the wasm backend: dy [B,OH,OW,Co], filter [kh,kw,Ci,Co] → dx [B,H,W,Ci],
 * as a stride-1 forward convolution (XNNPACK) of dy — spread out with stride−1 zeros between its
 * pixels — with the spatially flipped, channel-swapped filter (~10× the shipped kernel at stride 1,
 * ~3× at stride 2, in CPU time). Geometries that would need negative padding, and dx with under 4
 * channels, go through the col2im form. Unlike the shipped kernel it honours dilations.
 */
export const conv2DBackpropInputWasm: KernelFunc = (args) => {
  const wasm = args.backend as BackendWasm;
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = args.attrs as unknown as ConvAttrs & { inputShape: [number, number, number, number] };
  if (!isChannelsLast(a)) throw new Error('fedcl Conv2DBackpropInput (wasm) supports NHWC only; transpose NCHW inputs to NHWC');
  const g = convGeometry(a.inputShape, filter.shape, a);
  const spanH = (g.outHeight - 1) * g.strideHeight + 1;
  const spanW = (g.outWidth - 1) * g.strideWidth + 1;
  const extentH = (g.filterHeight - 1) * g.dilationHeight;
  const extentW = (g.filterWidth - 1) * g.dilationWidth;
  const pads = [extentH - g.padTop, g.inHeight - spanH + g.padTop, extentW - g.padLeft, g.inWidth - spanW + g.padLeft];
  // XNNPACK is slow at producing very few channels (measured: a 7×7 stem's dx, 1 channel, 3× slower).
  if (pads.some((p) => p < 0) || g.inChannels < 4) return conv2DBackpropInputCol2im(args);
  const { batch: B, outHeight: OH, outWidth: OW, outChannels: Co, inChannels: Ci, filterHeight: kh, filterWidth: kw } = g;
  const strided = g.strideHeight > 1 || g.strideWidth > 1;
  const spread = strided ? wasm.makeOutput([B, spanH, spanW, Co], 'float32') : dy;
  const flipped = wasm.makeOutput([kh, kw, Co, Ci], 'float32');
  if (strided) {
    const out = heapView(wasm, spread);
    const src = heapView(wasm, dy);
    out.fill(0);
    for (let b = 0; b < B; b++) {
      for (let oy = 0; oy < OH; oy++) {
        for (let ox = 0; ox < OW; ox++) {
          const from = ((b * OH + oy) * OW + ox) * Co;
          out.set(src.subarray(from, from + Co), ((b * spanH + oy * g.strideHeight) * spanW + ox * g.strideWidth) * Co);
        }
      }
    }
  }
  const w = heapView(wasm, filter);
  const wf = heapView(wasm, flipped);
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < kw; kx++) {
      const to = (ky * kw + kx) * Co * Ci;
      const from = ((kh - 1 - ky) * kw + (kw - 1 - kx)) * Ci * Co;
      for (let ci = 0; ci < Ci; ci++) for (let co = 0; co < Co; co++) wf[to + co * Ci + ci] = w[from + ci * Co + co]!;
    }
  }
  const dx = runWasmKernel(wasm, 'Conv2D', { x: spread, filter: flipped }, {
    strides: [1, 1],
    pad: [[0, 0], [pads[0], pads[1]], [pads[2], pads[3]], [0, 0]],
    dataFormat: 'NHWC',
    dilations: [g.dilationHeight, g.dilationWidth],
  });
  if (strided) wasm.disposeData(spread.dataId);
  wasm.disposeData(flipped.dataId);
  return dx;
};

/** The col2im form of Conv2DBackpropInput: cols = dy·Wᵀ (XNNPACK matmul), scattered back. */
const conv2DBackpropInputCol2im: KernelFunc = ({ inputs, attrs, backend }) => {
  const wasm = backend as BackendWasm;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as ConvAttrs & { inputShape: [number, number, number, number] };
  if (!isChannelsLast(a)) throw new Error('fedcl Conv2DBackpropInput (wasm) supports NHWC only; transpose NCHW inputs to NHWC');
  const g = convGeometry(a.inputShape, filter.shape, a);
  const K = g.filterHeight * g.filterWidth * g.inChannels;
  const out = wasm.makeOutput(a.inputShape, 'float32');
  heapView(wasm, out).fill(0);
  const w2: TensorInfo = { dataId: filter.dataId, shape: [1, K, g.outChannels], dtype: 'float32' };
  const perChunk = chunkBatch(g);
  const positionsPerItem = g.outHeight * g.outWidth;
  for (let b0 = 0; b0 < g.batch; b0 += perChunk) {
    const nb = Math.min(perChunk, g.batch - b0);
    const positions = nb * positionsPerItem;
    const dyChunk = wasm.makeOutput([1, positions, g.outChannels], 'float32');
    const dyStart = b0 * positionsPerItem * g.outChannels;
    heapView(wasm, dyChunk).set(heapView(wasm, dy).subarray(dyStart, dyStart + positions * g.outChannels));
    const cols = batchMatMul(wasm, dyChunk, w2, false, true);
    col2imAdd(heapView(wasm, cols), g, b0, nb, heapView(wasm, out));
    wasm.disposeData(dyChunk.dataId);
    wasm.disposeData(cols.dataId);
  }
  return out;
};

/**
 * Conv2D for non-square filters on the wasm backend: x [B,H,W,Ci], filter [kh,kw,Ci,Co] →
 * y [B,OH,OW,Co] = patches·W. The shipped XNNPACK kernel returns wrong values for some of them
 * (e.g. a 1×3 filter at stride 2 with 'same' padding); square filters go to `shipped`.
 */
export function conv2DWasm(shipped: KernelFunc): KernelFunc {
  return (args) => {
    const wasm = args.backend as BackendWasm;
    const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
    const a = args.attrs as unknown as ConvAttrs;
    if (!isChannelsLast(a) || filter.shape[0] === filter.shape[1]) return shipped(args);
    const g = convGeometry(x.shape, filter.shape, a);
    const K = g.filterHeight * g.filterWidth * g.inChannels;
    const out = wasm.makeOutput([g.batch, g.outHeight, g.outWidth, g.outChannels], 'float32');
    const w2: TensorInfo = { dataId: filter.dataId, shape: [1, K, g.outChannels], dtype: 'float32' };
    const perChunk = chunkBatch(g);
    const positionsPerItem = g.outHeight * g.outWidth;
    for (let b0 = 0; b0 < g.batch; b0 += perChunk) {
      const nb = Math.min(perChunk, g.batch - b0);
      const positions = nb * positionsPerItem;
      const patches = wasm.makeOutput([1, positions, K], 'float32');
      im2colRows(heapView(wasm, x), g, b0, nb, heapView(wasm, patches));
      const part = batchMatMul(wasm, patches, w2, false, false);
      heapView(wasm, out).set(heapView(wasm, part), b0 * positionsPerItem * g.outChannels);
      wasm.disposeData(patches.dataId);
      wasm.disposeData(part.dataId);
    }
    return out;
  };
}

function runWasmKernel(backend: BackendWasm, name: string, inputs: Record<string, TensorInfo>, attrs: Record<string, unknown> = {}): TensorInfo {
  const kernel = getKernel(name, 'wasm');
  if (!kernel) throw new Error(`the wasm backend has no ${name} kernel`);
  return kernel.kernelFunc({ inputs, attrs: attrs as never, backend }) as TensorInfo;
}

/**
 * FusedConv2D for non-square filters on the wasm backend (the shipped kernel shares Conv2D's
 * defect): the convolution above, then bias and activation by the backend's own kernels.
 */
export function fusedConv2DWasm(shipped: KernelFunc): KernelFunc {
  const conv = conv2DWasm(shipped);
  return (args) => {
    const wasm = args.backend as BackendWasm;
    const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
    const a = args.attrs as unknown as ConvAttrs & { activation: string; leakyreluAlpha?: number };
    if (!x || !filter || !isChannelsLast(a) || filter.shape[0] === filter.shape[1]) return shipped(args);
    let y = conv({ ...args, inputs: { x, filter } }) as TensorInfo;
    const replace = (next: TensorInfo) => {
      wasm.disposeData(y.dataId);
      y = next;
    };
    if (bias) replace(runWasmKernel(wasm, 'Add', { a: y, b: bias }));
    switch (a.activation) {
      case 'linear':
        break;
      case 'relu': replace(runWasmKernel(wasm, 'Relu', { x: y })); break;
      case 'relu6': replace(runWasmKernel(wasm, 'Relu6', { x: y })); break;
      case 'elu': replace(runWasmKernel(wasm, 'Elu', { x: y })); break;
      case 'sigmoid': replace(runWasmKernel(wasm, 'Sigmoid', { x: y })); break;
      case 'leakyrelu': replace(runWasmKernel(wasm, 'LeakyRelu', { x: y }, { alpha: a.leakyreluAlpha ?? 0.2 })); break;
      case 'prelu':
        if (!preluActivationWeights) throw new Error('FusedConv2D with prelu needs preluActivationWeights');
        replace(runWasmKernel(wasm, 'Prelu', { x: y, alpha: preluActivationWeights }));
        break;
      default:
        throw new Error(`FusedConv2D activation '${a.activation}' is not supported on wasm`);
    }
    return y;
  };
}

/**
 * Identity that shares the input's buffer (reference-counted, as the cpu backend and the wasm
 * Reshape do). The shipped one copies, and the engine clones every tensor it saves for backprop,
 * so a training step held two copies of each saved activation in the 4 GB heap.
 */
export const identityWasm: KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as { x: TensorInfo };
  (backend as BackendWasm).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
};

/** Kernel configs of the fedcl-wasm training kernels. */
export const wasmTrainingKernels: KernelConfig[] = [
  { kernelName: 'Identity', backendName: 'wasm', kernelFunc: identityWasm },
  { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2DBackpropFilterWasm },
  { kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: conv2DBackpropInputWasm },
];
