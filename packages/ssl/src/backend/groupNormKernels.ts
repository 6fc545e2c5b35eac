import * as tf from '@tensorflow/tfjs-core';
import { getKernel, registerGradient, registerKernel, util, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * Fused GroupNorm [0] as two tfjs kernels, so a normalisation costs one saved input and a few
 * passes over memory instead of the ~6 full-size intermediates of the composed ops (which, with
 * the wasm backend's 4 GB heap, decide the largest batch that trains).
 *
 * FedclGroupNorm:     x [N,...,C], gamma [C], beta [C] → y [N,...,C], mean [N,G], rstd [N,G]
 * FedclGroupNormGrad: dy, x, gamma, mean, rstd, y → dx [N,...,C]
 * FedclGroupNormParamGrad: dy, x, mean, rstd, y → dgamma [C], dbeta [C]
 * (attr `relu`: ReLU fused after the normalisation; y, the output, gives its mask.)
 *
 * Statistics per sample and group over the spatial positions and the group's C/G channels,
 * biased variance (as torch.nn.GroupNorm), from float64 sums of x and x² (float64 keeps
 * E[x²]−E[x]² exact enough unless |mean| exceeds the standard deviation ~10⁶-fold).
 *
 * [0] Group Normalization, Wu & He 2018, arXiv:1803.08494, Eq. (1)–(2).
 */
export const GROUP_NORM = 'FedclGroupNorm';
export const GROUP_NORM_GRAD = 'FedclGroupNormGrad';
export const GROUP_NORM_PARAM_GRAD = 'FedclGroupNormParamGrad';

interface GroupNormAttrs {
  groups: number;
  epsilon: number;
  /** Apply ReLU to the output (GroupNorm + ReLU in one pass, one tensor fewer kept for backprop). */
  relu: boolean;
}

/** [N, positions per sample, C] of a channels-last shape. */
function layout(shape: number[]): [number, number, number] {
  const n = shape[0]!;
  const c = shape[shape.length - 1]!;
  return [n, util.sizeFromShape(shape) / (n * c), c];
}

/** Group of each channel. */
function channelGroups(c: number, groups: number): Int32Array {
  const perGroup = c / groups;
  return Int32Array.from({ length: c }, (_, ch) => Math.floor(ch / perGroup));
}

/**
 * Forward on plain arrays: fills y, mean [N·G], rstd [N·G]. One pass gathers per-channel Σx and
 * Σx² in float64 (combined per group), one pass writes y = x·scale[c] + shift[c].
 */
export function groupNormForward(x: Float32Array, gamma: Float32Array, beta: Float32Array, shape: number[], groups: number, epsilon: number, relu: boolean, y: Float32Array, mean: Float32Array, rstd: Float32Array): void {
  const [n, positions, c] = layout(shape);
  const groupOf = channelGroups(c, groups);
  const count = positions * (c / groups);
  const sum = new Float64Array(c);
  const sq = new Float64Array(c);
  const scale = new Float32Array(c);
  const shift = new Float32Array(c);
  for (let s = 0; s < n; s++) {
    const base = s * positions * c;
    const end = base + positions * c;
    sum.fill(0);
    sq.fill(0);
    for (let i = base; i < end; i += c) {
      for (let ch = 0; ch < c; ch++) {
        const v = x[i + ch]!;
        sum[ch]! += v;
        sq[ch]! += v * v;
      }
    }
    for (let g = 0; g < groups; g++) {
      let gs = 0;
      let gq = 0;
      for (let ch = 0; ch < c; ch++) {
        if (groupOf[ch] !== g) continue;
        gs += sum[ch]!;
        gq += sq[ch]!;
      }
      const m = gs / count;
      mean[s * groups + g] = m;
      rstd[s * groups + g] = 1 / Math.sqrt(Math.max(gq / count - m * m, 0) + epsilon);
    }
    for (let ch = 0; ch < c; ch++) {
      const g = s * groups + groupOf[ch]!;
      scale[ch] = rstd[g]! * gamma[ch]!;
      shift[ch] = beta[ch]! - mean[g]! * rstd[g]! * gamma[ch]!;
    }
    for (let i = base; i < end; i += c) {
      for (let ch = 0; ch < c; ch++) {
        const v = x[i + ch]! * scale[ch]! + shift[ch]!;
        y[i + ch] = relu && v < 0 ? 0 : v;
      }
    }
  }
}

/**
 * Per-channel Σdy and Σdy·x over one sample (dy masked by the fused ReLU when `y` is given):
 * everything both gradients need.
 */
function sampleSums(dy: Float32Array, x: Float32Array, y: Float32Array | undefined, base: number, end: number, c: number, sdy: Float64Array, sdyx: Float64Array): void {
  sdy.fill(0);
  sdyx.fill(0);
  for (let i = base; i < end; i += c) {
    for (let ch = 0; ch < c; ch++) {
      const d = y === undefined || y[i + ch]! > 0 ? dy[i + ch]! : 0;
      sdy[ch]! += d;
      sdyx[ch]! += d * x[i + ch]!;
    }
  }
}

/**
 * Input gradient on plain arrays: fills dx. With x̂ = (x−μ)·r and g = dy·γ,
 * dx = r·(g − mean(g) − x̂·mean(g·x̂)) per group, i.e. dx = dy·γ·r + x·B + C: one pass for the
 * sums, one pass of fused multiply-adds. `y`, the fused output, is given when ReLU was applied.
 */
export function groupNormBackward(dy: Float32Array, x: Float32Array, gamma: Float32Array, mean: Float32Array, rstd: Float32Array, shape: number[], groups: number, y: Float32Array | undefined, dx: Float32Array): void {
  const [n, positions, c] = layout(shape);
  const groupOf = channelGroups(c, groups);
  const count = positions * (c / groups);
  const sdy = new Float64Array(c);
  const sdyx = new Float64Array(c);
  const a = new Float32Array(c);
  const b = new Float32Array(c);
  const k = new Float32Array(c);
  for (let s = 0; s < n; s++) {
    const base = s * positions * c;
    const end = base + positions * c;
    sampleSums(dy, x, y, base, end, c, sdy, sdyx);
    for (let g = 0; g < groups; g++) {
      const m = mean[s * groups + g]!;
      const r = rstd[s * groups + g]!;
      let sumG = 0;
      let sumGX = 0;
      for (let ch = 0; ch < c; ch++) {
        if (groupOf[ch] !== g) continue;
        sumG += gamma[ch]! * sdy[ch]!;
        sumGX += gamma[ch]! * r * (sdyx[ch]! - m * sdy[ch]!);
      }
      const meanG = sumG / count;
      const meanGX = sumGX / count;
      for (let ch = 0; ch < c; ch++) {
        if (groupOf[ch] !== g) continue;
        a[ch] = gamma[ch]! * r;
        b[ch] = -r * r * meanGX;
        k[ch] = -r * meanG + m * r * r * meanGX;
      }
    }
    for (let i = base; i < end; i += c) {
      for (let ch = 0; ch < c; ch++) {
        const d = y === undefined || y[i + ch]! > 0 ? dy[i + ch]! : 0;
        dx[i + ch] = d * a[ch]! + x[i + ch]! * b[ch]! + k[ch]!;
      }
    }
  }
}

/** Scale and offset gradients on plain arrays: dgamma [C] = Σ dy·x̂, dbeta [C] = Σ dy (one pass). */
export function groupNormParamBackward(dy: Float32Array, x: Float32Array, mean: Float32Array, rstd: Float32Array, shape: number[], groups: number, y: Float32Array | undefined, dgamma: Float32Array, dbeta: Float32Array): void {
  const [n, positions, c] = layout(shape);
  const groupOf = channelGroups(c, groups);
  const sdy = new Float64Array(c);
  const sdyx = new Float64Array(c);
  const dg = new Float64Array(c);
  const db = new Float64Array(c);
  for (let s = 0; s < n; s++) {
    const base = s * positions * c;
    sampleSums(dy, x, y, base, base + positions * c, c, sdy, sdyx);
    for (let ch = 0; ch < c; ch++) {
      const g = s * groups + groupOf[ch]!;
      db[ch]! += sdy[ch]!;
      dg[ch]! += rstd[g]! * (sdyx[ch]! - mean[g]! * sdy[ch]!);
    }
  }
  for (let ch = 0; ch < c; ch++) {
    dgamma[ch] = dg[ch]!;
    dbeta[ch] = db[ch]!;
  }
}

/** How each backend exposes tensor storage as Float32Array and allocates outputs. */
interface Storage {
  read(t: TensorInfo): Float32Array;
  alloc(shape: number[]): TensorInfo;
}

function wasmStorage(backend: BackendWasm): Storage {
  return {
    read: (t) => backend.typedArrayFromHeap(t) as Float32Array,
    alloc: (shape) => backend.makeOutput(shape, 'float32'),
  };
}

function cpuStorage(backend: unknown): Storage {
  const b = backend as { data: { get(id: object): { values: Float32Array } }; makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo };
  return {
    read: (t) => b.data.get(t.dataId).values,
    alloc: (shape) => b.makeTensorInfo(shape, 'float32', new Float32Array(util.sizeFromShape(shape))),
  };
}

function forwardKernel(storage: (backend: unknown) => Storage): KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const { x, gamma, beta } = inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
    const { groups, epsilon, relu } = attrs as unknown as GroupNormAttrs;
    const s = storage(backend);
    const y = s.alloc(x.shape);
    const mean = s.alloc([x.shape[0]!, groups]);
    const rstd = s.alloc([x.shape[0]!, groups]);
    // Views after all allocations: a wasm heap growth detaches earlier ones.
    groupNormForward(s.read(x), s.read(gamma), s.read(beta), x.shape, groups, epsilon, relu, s.read(y), s.read(mean), s.read(rstd));
    return [y, mean, rstd];
  };
}

function backwardKernel(storage: (backend: unknown) => Storage): KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const { dy, x, gamma, mean, rstd, y } = inputs as Record<string, TensorInfo>;
    const { groups, relu } = attrs as unknown as GroupNormAttrs;
    const s = storage(backend);
    const dx = s.alloc(x!.shape);
    groupNormBackward(s.read(dy!), s.read(x!), s.read(gamma!), s.read(mean!), s.read(rstd!), x!.shape, groups, relu ? s.read(y!) : undefined, s.read(dx));
    return dx;
  };
}

function paramBackwardKernel(storage: (backend: unknown) => Storage): KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const { dy, x, mean, rstd, y } = inputs as Record<string, TensorInfo>;
    const { groups, relu } = attrs as unknown as GroupNormAttrs;
    const c = x!.shape[x!.shape.length - 1]!;
    const s = storage(backend);
    const dgamma = s.alloc([c]);
    const dbeta = s.alloc([c]);
    groupNormParamBackward(s.read(dy!), s.read(x!), s.read(mean!), s.read(rstd!), x!.shape, groups, relu ? s.read(y!) : undefined, s.read(dgamma), s.read(dbeta));
    return [dgamma, dbeta];
  };
}

const STORAGES: Record<string, (backend: unknown) => Storage> = {
  wasm: (b) => wasmStorage(b as BackendWasm),
  cpu: cpuStorage,
};

/** Registers the fused GroupNorm kernels (wasm and cpu backends) and its gradient; idempotent. */
export function registerGroupNormKernels(): void {
  for (const [backendName, storage] of Object.entries(STORAGES)) {
    if (!getKernel(GROUP_NORM, backendName)) registerKernel({ kernelName: GROUP_NORM, backendName, kernelFunc: forwardKernel(storage) });
    if (!getKernel(GROUP_NORM_GRAD, backendName)) registerKernel({ kernelName: GROUP_NORM_GRAD, backendName, kernelFunc: backwardKernel(storage) });
    if (!getKernel(GROUP_NORM_PARAM_GRAD, backendName)) registerKernel({ kernelName: GROUP_NORM_PARAM_GRAD, backendName, kernelFunc: paramBackwardKernel(storage) });
  }
  if (tf.getGradient(GROUP_NORM)) return;
  registerGradient({
    kernelName: GROUP_NORM,
    inputsToSave: ['x', 'gamma'],
    outputsToSave: [true, true, true],
    gradFunc: (dy, saved, attrs) => {
      const [x, gamma, y, mean, rstd] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      const dyY = Array.isArray(dy) ? dy[0]! : dy;
      // The engine calls each getter inside its own tidy, so they cannot share one kernel's outputs.
      const params = () => tf.engine().runKernel(GROUP_NORM_PARAM_GRAD, { dy: dyY, x, mean, rstd, y }, attrs as NamedAttrMap) as tf.Tensor[];
      return {
        x: () => tf.engine().runKernel(GROUP_NORM_GRAD, { dy: dyY, x, gamma, mean, rstd, y }, attrs as NamedAttrMap) as tf.Tensor,
        gamma: () => params()[0]!,
        beta: () => params()[1]!,
      };
    },
  });
}

/** True when the active backend has the fused kernels. */
export function hasFusedGroupNorm(): boolean {
  return getKernel(GROUP_NORM, tf.getBackend()) !== undefined;
}

/**
 * GroupNorm with the fused kernels: x [N,H,W,C] or [N,C] (channels last), gamma [C], beta [C],
 * `groups` dividing C → same shape as x, followed by ReLU when `relu`. Call `hasFusedGroupNorm()`
 * first; other backends (tfjs-node) use the composed ops.
 */
export function fusedGroupNorm(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, groups: number, epsilon = 1e-5, relu = false): tf.Tensor {
  const c = x.shape[x.rank - 1]!;
  if (c % groups !== 0) throw new Error(`fusedGroupNorm: ${groups} groups do not divide ${c} channels`);
  return tf.tidy(() => {
    const [y] = tf.engine().runKernel(GROUP_NORM, { x, gamma, beta }, { groups, epsilon, relu }) as tf.Tensor[];
    return y!;
  });
}
