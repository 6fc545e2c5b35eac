import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { encodeOnnxModel, type OnnxGraph } from './onnxGraph.js';

/** A float32 buffer and its shape, fed to or filled by an onnxruntime session. */
export interface OrtBuffer {
  data: Float32Array;
  shape: number[];
}

/** The subset of onnxruntime-node's native binding the provider uses (synchronous). */
interface NativeSession {
  loadModel(buffer: ArrayBufferLike, byteOffset: number, byteLength: number, options: object): void;
  run(feeds: Record<string, unknown>, fetches: Record<string, unknown>, options: object): Record<string, unknown>;
  dispose(): void;
}

interface NativeBinding {
  InferenceSession: new () => NativeSession;
}

type TensorCtor = new (type: 'float32', data: Float32Array, dims: readonly number[]) => unknown;

/** onnxruntime-node could not be loaded or failed its self-check. */
export class OrtUnavailableError extends Error {
  override name = 'OrtUnavailableError';
}

/** Sessions kept per shape; training uses a fixed set, evaluation may add a few. */
const MAX_SESSIONS = 512;

/**
 * Runs small ONNX graphs synchronously on onnxruntime-node's CPU execution provider (MLAS).
 *
 * tfjs kernels must return synchronously, while onnxruntime-node's public `InferenceSession.run`
 * is async (it defers the synchronous native call with setImmediate). The provider therefore uses
 * the package's native binding directly, which is why `onnxruntime-node` is pinned to an exact
 * version in package.json: the binding is not a public API.
 */
export class OrtRuntime {
  private readonly sessions = new Map<string, NativeSession>();

  constructor(
    private readonly binding: NativeBinding,
    private readonly Tensor: TensorCtor,
    /** Intra-op threads of every session. */
    readonly threads: number,
    /** onnxruntime-node version. */
    readonly version: string,
  ) {}

  /**
   * Runs the graph cached under `key` (built by `build` on first use), reading `inputs` and writing
   * into the preallocated `outputs` (no copy of the results).
   */
  run(key: string, build: () => OnnxGraph, inputs: Record<string, OrtBuffer>, outputs: Record<string, OrtBuffer>): void {
    const session = this.session(key, build);
    const feeds: Record<string, unknown> = {};
    for (const [name, b] of Object.entries(inputs)) feeds[name] = new this.Tensor('float32', b.data, b.shape);
    const fetches: Record<string, unknown> = {};
    for (const [name, b] of Object.entries(outputs)) fetches[name] = new this.Tensor('float32', b.data, b.shape);
    session.run(feeds, fetches, {});
  }

  /** Number of compiled graphs held. */
  get sessionCount(): number {
    return this.sessions.size;
  }

  dispose(): void {
    for (const s of this.sessions.values()) s.dispose();
    this.sessions.clear();
  }

  private session(key: string, build: () => OnnxGraph): NativeSession {
    const cached = this.sessions.get(key);
    if (cached) {
      // Re-insert to keep the map in least-recently-used order.
      this.sessions.delete(key);
      this.sessions.set(key, cached);
      return cached;
    }
    const model = encodeOnnxModel(build());
    const session = new this.binding.InferenceSession();
    session.loadModel(model.buffer, model.byteOffset, model.byteLength, {
      intraOpNumThreads: this.threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      enableCpuMemArena: true,
      enableMemPattern: true,
    });
    this.sessions.set(key, session);
    if (this.sessions.size > MAX_SESSIONS) {
      const [oldestKey, oldest] = this.sessions.entries().next().value as [string, NativeSession];
      oldest.dispose();
      this.sessions.delete(oldestKey);
    }
    return session;
  }
}

/**
 * Loads onnxruntime-node's native binding. Throws OrtUnavailableError saying why (package not
 * installed, binary not loadable on this platform, unexpected binding shape).
 */
export function loadOrtRuntime(threads: number): OrtRuntime {
  const require = createRequire(import.meta.url);
  let bindingModule: { binding?: NativeBinding; initOrt?: () => void };
  let common: { Tensor?: TensorCtor };
  let version = 'unknown';
  try {
    const bindingPath = require.resolve('onnxruntime-node/dist/binding.js');
    bindingModule = require(bindingPath) as typeof bindingModule;
    common = require('onnxruntime-common') as typeof common;
    const pkg = JSON.parse(readFileSync(join(dirname(bindingPath), '..', 'package.json'), 'utf8')) as { version?: string };
    version = pkg.version ?? version;
  } catch (e) {
    throw new OrtUnavailableError(
      `onnxruntime-node is not loadable (${(e as Error).message.split('\n')[0]}); ` +
        'install it with `npm install` (optional dependency of @fedcl/ssl)',
    );
  }
  if (typeof bindingModule.initOrt !== 'function' || typeof bindingModule.binding?.InferenceSession !== 'function' || typeof common.Tensor !== 'function') {
    throw new OrtUnavailableError(
      `onnxruntime-node ${version} has an unexpected native binding; fedcl expects the version pinned in packages/ssl/package.json`,
    );
  }
  try {
    bindingModule.initOrt();
  } catch (e) {
    throw new OrtUnavailableError(`onnxruntime-node ${version} failed to initialise: ${(e as Error).message}`);
  }
  return new OrtRuntime(bindingModule.binding, common.Tensor, threads, version);
}
