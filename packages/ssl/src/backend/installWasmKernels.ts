import { getKernel, registerKernel, unregisterKernel, type KernelConfig, type KernelFunc } from '@tensorflow/tfjs-core';
import type { BackendFallback, KernelProvider } from './backendReport.js';
import { ortConvKernels } from './ortConvKernels.js';
import { loadOrtRuntime, OrtUnavailableError, type OrtRuntime } from './ortRuntime.js';
import { conv2dGraph, type ConvGeometry } from './convGraphs.js';
import { conv2DBackpropFilterWasm, conv2DBackpropInputWasm, conv2DWasm, fusedConv2DWasm, wasmTrainingKernels } from './wasmConvGrads.js';

/** Which kernels to put on the wasm backend; `auto` tries onnxruntime first. */
export type WasmKernelChoice = 'auto' | 'onnxruntime-mlas' | 'fedcl-wasm';

export interface WasmKernelSetup {
  kernels: Extract<KernelProvider, 'onnxruntime-mlas' | 'fedcl-wasm'>;
  /** onnxruntime intra-op threads, when it is used. */
  threads?: number;
  /** The provider tried and not used, with why. */
  fallbacks: BackendFallback[];
}

export interface InstallWasmKernelsOptions {
  choice?: WasmKernelChoice;
  threads?: number;
  /** Loads onnxruntime; injectable so tests can simulate a missing or broken package. */
  loadOrt?: (threads: number) => OrtRuntime;
}

const KERNEL_NAMES = ['Conv2D', 'FusedConv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'Identity'] as const;

/** The wasm backend's own kernels, captured before fedcl first replaced any. */
let shipped: Map<string, KernelConfig | undefined> | undefined;
let activeRuntime: OrtRuntime | undefined;

function replaceKernel(config: KernelConfig): void {
  if (getKernel(config.kernelName, config.backendName)) unregisterKernel(config.kernelName, config.backendName);
  registerKernel(config);
}

/** Puts the wasm backend's shipped convolution kernels back (and drops any onnxruntime sessions). */
export function restoreShippedWasmKernels(): void {
  if (!shipped) return;
  for (const [name, config] of shipped) {
    if (getKernel(name, 'wasm')) unregisterKernel(name, 'wasm');
    if (config) registerKernel(config);
  }
  activeRuntime?.dispose();
  activeRuntime = undefined;
}

/**
 * Checks a loaded runtime on one small 'same' convolution against a direct loop, so a binary
 * that loads but computes wrongly is rejected rather than trusted.
 */
function selfCheck(runtime: OrtRuntime): void {
  const g: ConvGeometry = {
    batch: 1, inHeight: 4, inWidth: 5, inChannels: 2, outHeight: 2, outWidth: 3, outChannels: 3,
    filterHeight: 3, filterWidth: 3, strideHeight: 2, strideWidth: 2, dilationHeight: 1, dilationWidth: 1,
    padTop: 0, padBottom: 1, padLeft: 1, padRight: 1,
  };
  const x = Float32Array.from({ length: 40 }, (_, i) => ((i * 7) % 11) - 5);
  const w = Float32Array.from({ length: 54 }, (_, i) => ((i * 5) % 7) - 3);
  const y = new Float32Array(18);
  runtime.run('selfcheck', () => conv2dGraph(g), { x: { data: x, shape: [1, 4, 5, 2] }, w: { data: w, shape: [3, 3, 2, 3] } }, { y: { data: y, shape: [1, 2, 3, 3] } });
  for (let oy = 0; oy < 2; oy++) for (let ox = 0; ox < 3; ox++) for (let co = 0; co < 3; co++) {
    let sum = 0;
    for (let ky = 0; ky < 3; ky++) for (let kx = 0; kx < 3; kx++) for (let ci = 0; ci < 2; ci++) {
      const iy = oy * 2 + ky - g.padTop;
      const ix = ox * 2 + kx - g.padLeft;
      if (iy >= 0 && iy < 4 && ix >= 0 && ix < 5) sum += x[(iy * 5 + ix) * 2 + ci]! * w[((ky * 3 + kx) * 2 + ci) * 3 + co]!;
    }
    const got = y[(oy * 3 + ox) * 3 + co]!;
    if (got !== sum) throw new OrtUnavailableError(`onnxruntime self-check failed: conv output ${got}, expected ${sum}`);
  }
}

/**
 * Registers fedcl's training kernels on the (already initialised) wasm backend: the missing
 * Conv2DBackpropFilter and a faster Conv2DBackpropInput (fedcl-wasm), then, unless told
 * otherwise, Conv2D / FusedConv2D / both gradients on onnxruntime's MLAS. If onnxruntime cannot
 * be used the fedcl-wasm kernels stay and the reason is reported; if it was asked for explicitly
 * (`choice: 'onnxruntime-mlas'`) that is an error.
 */
export function installWasmTrainingKernels(options: InstallWasmKernelsOptions = {}): WasmKernelSetup {
  const choice = options.choice ?? 'auto';
  const threads = options.threads ?? 1;
  if (!shipped) shipped = new Map(KERNEL_NAMES.map((name) => [name, getKernel(name, 'wasm')]));
  restoreShippedWasmKernels();
  for (const config of wasmTrainingKernels) replaceKernel(config);
  const shippedConv = shipped.get('Conv2D');
  if (shippedConv) replaceKernel({ ...shippedConv, kernelFunc: conv2DWasm(shippedConv.kernelFunc) });
  const shippedFused = shipped.get('FusedConv2D');
  if (shippedFused) replaceKernel({ ...shippedFused, kernelFunc: fusedConv2DWasm(shippedFused.kernelFunc) });
  if (choice === 'fedcl-wasm') return { kernels: 'fedcl-wasm', fallbacks: [] };

  let runtime: OrtRuntime;
  try {
    runtime = (options.loadOrt ?? loadOrtRuntime)(threads);
    selfCheck(runtime);
  } catch (e) {
    const reason = (e as Error).message;
    if (choice === 'onnxruntime-mlas') throw new OrtUnavailableError(`onnxruntime-mlas kernels were requested but cannot be used: ${reason}`);
    return { kernels: 'fedcl-wasm', fallbacks: [{ name: 'kernels:onnxruntime-mlas', reason }] };
  }
  const shippedFunc = (name: string): KernelFunc => {
    const config = shipped?.get(name);
    if (!config) throw new Error(`the wasm backend has no ${name} kernel to fall back to`);
    return config.kernelFunc;
  };
  const fallback: Record<string, KernelFunc> = {
    Conv2D: conv2DWasm(shippedFunc('Conv2D')),
    FusedConv2D: fusedConv2DWasm(shippedFunc('FusedConv2D')),
    Conv2DBackpropInput: conv2DBackpropInputWasm,
    Conv2DBackpropFilter: conv2DBackpropFilterWasm,
  };
  for (const config of ortConvKernels(runtime, fallback)) replaceKernel(config);
  activeRuntime = runtime;
  return { kernels: 'onnxruntime-mlas', threads: runtime.threads, fallbacks: [] };
}
