import { util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  backpropInputExpressible,
  conv2dBackpropFilterAsConvGraph,
  conv2dBackpropFilterGraph,
  conv2dBackpropInputGraph,
  conv2dGraph,
  geometryKey,
  onnxAgreesWithTfjs,
  type FusedActivation,
} from './convGraphs.js';
import { convGeometry, isChannelsLast, type ConvAttrs } from './convGeometry.js';
import type { OrtRuntime } from './ortRuntime.js';
import { heapView } from './wasmHeap.js';

const FUSED_ACTIVATIONS = new Set<string>(['linear', 'relu', 'relu6', 'elu', 'leakyrelu', 'sigmoid', 'prelu']);

function allFloat32(...ts: (TensorInfo | undefined)[]): boolean {
  return ts.every((t) => t === undefined || t.dtype === 'float32');
}

/**
 * tfjs kernels for the wasm backend that run convolutions and both their gradients on
 * onnxruntime's MLAS (multi-threaded). Tensors stay in the wasm heap: onnxruntime reads the
 * inputs and writes the output through views of it. Any call these graphs cannot express
 * (NCHW layout, non-float dtypes, unusual padding) goes to `fallback[kernelName]`, the kernel
 * that was registered before.
 */
export function ortConvKernels(runtime: OrtRuntime, fallback: Record<string, KernelFunc>): KernelConfig[] {
  const conv2D: KernelFunc = (args) => {
    const backend = args.backend as BackendWasm;
    const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
    const attrs = args.attrs as unknown as ConvAttrs;
    if (!isChannelsLast(attrs) || !allFloat32(x, filter)) return fallback.Conv2D!(args);
    const g = convGeometry(x.shape, filter.shape, attrs);
    if (!onnxAgreesWithTfjs(g)) return fallback.Conv2D!(args);
    const out = backend.makeOutput([g.batch, g.outHeight, g.outWidth, g.outChannels], 'float32');
    if (util.sizeFromShape(out.shape) === 0) return out;
    runtime.run(
      `conv|${geometryKey(g)}`,
      () => conv2dGraph(g),
      { x: { data: heapView(backend, x), shape: x.shape }, w: { data: heapView(backend, filter), shape: filter.shape } },
      { y: { data: heapView(backend, out), shape: out.shape } },
    );
    return out;
  };

  const fusedConv2D: KernelFunc = (args) => {
    const backend = args.backend as BackendWasm;
    const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
    const attrs = args.attrs as unknown as ConvAttrs & { activation: string; leakyreluAlpha?: number };
    if (!x || !filter || !isChannelsLast(attrs) || !allFloat32(x, filter, bias, preluActivationWeights)) return fallback.FusedConv2D!(args);
    if (!FUSED_ACTIVATIONS.has(attrs.activation)) return fallback.FusedConv2D!(args);
    const g = convGeometry(x.shape, filter.shape, attrs);
    // ONNX Conv takes a bias of exactly [Co]; other broadcastable biases go to the fallback.
    if (!onnxAgreesWithTfjs(g) || (bias && util.sizeFromShape(bias.shape) !== g.outChannels)) return fallback.FusedConv2D!(args);
    const activation = attrs.activation as FusedActivation;
    const out = backend.makeOutput([g.batch, g.outHeight, g.outWidth, g.outChannels], 'float32');
    if (util.sizeFromShape(out.shape) === 0) return out;
    const preluShape = preluActivationWeights?.shape;
    const leakyreluAlpha = attrs.leakyreluAlpha ?? 0.2;
    const inputs: Record<string, { data: Float32Array; shape: number[] }> = {
      x: { data: heapView(backend, x), shape: x.shape },
      w: { data: heapView(backend, filter), shape: filter.shape },
    };
    if (bias) inputs.b = { data: heapView(backend, bias), shape: [g.outChannels] };
    if (activation === 'prelu' && preluActivationWeights) inputs.alpha = { data: heapView(backend, preluActivationWeights), shape: preluActivationWeights.shape };
    runtime.run(
      `fconv|${geometryKey(g)}|${bias ? 'b' : ''}|${activation}|${preluShape?.join('x') ?? ''}|${leakyreluAlpha}`,
      () => conv2dGraph(g, { bias: bias !== undefined, activation, preluShape, leakyreluAlpha }),
      inputs,
      { y: { data: heapView(backend, out), shape: out.shape } },
    );
    return out;
  };

  const backpropInput: KernelFunc = (args) => {
    const backend = args.backend as BackendWasm;
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const attrs = args.attrs as unknown as ConvAttrs & { inputShape: [number, number, number, number] };
    if (!isChannelsLast(attrs) || !allFloat32(dy, filter)) return fallback.Conv2DBackpropInput!(args);
    const g = convGeometry(attrs.inputShape, filter.shape, attrs);
    if (!backpropInputExpressible(g)) return fallback.Conv2DBackpropInput!(args);
    const out = backend.makeOutput([...attrs.inputShape], 'float32');
    if (util.sizeFromShape(out.shape) === 0) return out;
    runtime.run(
      `dx|${geometryKey(g)}`,
      () => conv2dBackpropInputGraph(g),
      { dy: { data: heapView(backend, dy), shape: dy.shape }, w: { data: heapView(backend, filter), shape: filter.shape } },
      { dx: { data: heapView(backend, out), shape: out.shape } },
    );
    return out;
  };

  const backpropFilter: KernelFunc = (args) => {
    const backend = args.backend as BackendWasm;
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
    const attrs = args.attrs as unknown as ConvAttrs & { filterShape: [number, number, number, number] };
    if (!isChannelsLast(attrs) || !allFloat32(x, dy)) return fallback.Conv2DBackpropFilter!(args);
    const g = convGeometry(x.shape, attrs.filterShape, attrs);
    if (!onnxAgreesWithTfjs(g)) return fallback.Conv2DBackpropFilter!(args);
    const out = backend.makeOutput([...attrs.filterShape], 'float32');
    if (util.sizeFromShape(out.shape) === 0) return out;
    // Measured (bench/kernels.ts): the patch matrix wins except for wide filters over very few
    // channels (a 7×7 stem on 1 channel: ~7× faster as a convolution).
    const asConv = g.inChannels <= 4 && g.filterHeight * g.filterWidth >= 25;
    runtime.run(
      `dw|${asConv ? 'conv' : 'gemm'}|${geometryKey(g)}`,
      () => (asConv ? conv2dBackpropFilterAsConvGraph(g) : conv2dBackpropFilterGraph(g)),
      { x: { data: heapView(backend, x), shape: x.shape }, dy: { data: heapView(backend, dy), shape: dy.shape } },
      { dw: { data: heapView(backend, out), shape: out.shape } },
    );
    return out;
  };

  const config = (kernelName: string, kernelFunc: KernelFunc): KernelConfig => ({ kernelName, backendName: 'wasm', kernelFunc });
  return [
    config('Conv2D', conv2D),
    config('FusedConv2D', fusedConv2D),
    config('Conv2DBackpropInput', backpropInput),
    config('Conv2DBackpropFilter', backpropFilter),
  ];
}

