import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's Node build registers no gradients; the tfjs-layers bundle registers them all, and
// training on any rung needs them.
import '@tensorflow/tfjs-layers';
import { availableParallelism } from 'node:os';
import { BACKEND_LADDER, type BackendFallback, type BackendName, type BackendReport, type KernelProvider } from './backendReport.js';
import { OrtUnavailableError } from './ortRuntime.js';
import { registerGroupNormKernels } from './groupNormKernels.js';
import { installWasmTrainingKernels, type InstallWasmKernelsOptions, type WasmKernelChoice } from './installWasmKernels.js';

/** What one rung's loader reports once its backend is active. */
export interface LoadedBackend {
  tfBackend: string;
  version: string;
  kernels: KernelProvider;
  threads?: number;
  simd?: boolean;
  /** Kernel providers tried inside this rung and not used. */
  fallbacks?: BackendFallback[];
}

/** Makes one rung's backend the active tfjs backend, or throws saying why it cannot. */
export type BackendLoader = (context: LoaderContext) => Promise<LoadedBackend>;

export interface LoaderContext {
  threads: number;
  kernels: WasmKernelChoice;
  loadOrt?: InstallWasmKernelsOptions['loadOrt'];
}

export interface InitBackendOptions {
  /** Start the ladder at this rung (higher rungs are not tried). */
  prefer?: BackendName;
  /** Use only this rung; failing is an error. Defaults to the FEDCL_BACKEND environment variable. */
  force?: BackendName;
  /** Kernels on the wasm rung. Defaults to FEDCL_KERNELS, else `auto`. */
  kernels?: WasmKernelChoice;
  /** Threads for native kernels. Defaults to FEDCL_THREADS, else every available core. */
  threads?: number;
  /** Environment to read FEDCL_* from (tests inject one). */
  env?: Record<string, string | undefined>;
  /** Replacement loaders per rung (tests simulate missing or failing packages). */
  loaders?: Partial<Record<BackendName, BackendLoader>>;
  /** Replacement onnxruntime loader, passed to the wasm rung. */
  loadOrt?: InstallWasmKernelsOptions['loadOrt'];
}

/** A forced or requested backend (or the whole ladder) could not be used. */
export class BackendUnavailableError extends Error {
  override name = 'BackendUnavailableError';
}

async function activate(tfBackend: string): Promise<void> {
  if (!tf.findBackendFactory(tfBackend)) {
    throw new Error(`it registered no '${tfBackend}' backend with this @tensorflow/tfjs-core (${tf.version_core}); a second tfjs-core copy with another version is likely installed`);
  }
  if (!(await tf.setBackend(tfBackend))) throw new Error(`tf.setBackend('${tfBackend}') failed to initialise it`);
  await tf.ready();
}

/** Dynamic import through a variable, so the optional packages need not be installed to typecheck. */
async function importOptional(name: string): Promise<Record<string, unknown>> {
  return (await import(name)) as Record<string, unknown>;
}

function nodeVersion(mod: Record<string, unknown>, key: string): string {
  const v = mod.version as Record<string, string> | undefined;
  return v?.[key] ?? 'unknown';
}

const tfjsNodeLoader = (pkg: '@tensorflow/tfjs-node' | '@tensorflow/tfjs-node-gpu'): BackendLoader => async () => {
  const mod = await importOptional(pkg);
  await activate('tensorflow');
  return { tfBackend: 'tensorflow', version: nodeVersion(mod, pkg.replace('@tensorflow/', '')), kernels: 'native' };
};

/** The default loader of each rung. */
export const DEFAULT_LOADERS: Record<BackendName, BackendLoader> = {
  'tfjs-node-gpu': tfjsNodeLoader('@tensorflow/tfjs-node-gpu'),
  'tfjs-node': tfjsNodeLoader('@tensorflow/tfjs-node'),
  wasm: async (context) => {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    await activate('wasm');
    const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
    const setup = installWasmTrainingKernels({ choice: context.kernels, threads: context.threads, loadOrt: context.loadOrt });
    return { tfBackend: 'wasm', version: wasm.version_wasm, simd, ...setup };
  },
  cpu: async () => {
    const cpu = await import('@tensorflow/tfjs-backend-cpu');
    await activate('cpu');
    return { tfBackend: 'cpu', version: cpu.version_cpu, kernels: 'tfjs-cpu' };
  },
};

function parseBackendName(value: string | undefined, what: string): BackendName | undefined {
  if (value === undefined || value === '') return undefined;
  if ((BACKEND_LADDER as readonly string[]).includes(value)) return value as BackendName;
  throw new BackendUnavailableError(`${what} is '${value}'; use one of ${BACKEND_LADDER.join(', ')}`);
}

function parseKernels(value: string | undefined): WasmKernelChoice {
  if (value === undefined || value === '') return 'auto';
  if (value === 'auto' || value === 'onnxruntime-mlas' || value === 'fedcl-wasm') return value;
  throw new BackendUnavailableError(`FEDCL_KERNELS is '${value}'; use auto, onnxruntime-mlas or fedcl-wasm`);
}

function parseThreads(value: string | undefined): number {
  if (value === undefined || value === '') return availableParallelism();
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new BackendUnavailableError(`FEDCL_THREADS is '${value}'; use a positive integer`);
  return n;
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
}

/**
 * Chooses the compute backend down the ladder tfjs-node-gpu → tfjs-node → wasm → cpu, making it
 * the active tfjs backend. Each rung that fails is recorded in `fallbacks` with its reason.
 * `FEDCL_BACKEND` (or `force`) selects exactly one rung, and its failure is an error naming why.
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendReport> {
  const env = options.env ?? process.env;
  const force = options.force ?? parseBackendName(env.FEDCL_BACKEND, 'FEDCL_BACKEND');
  const prefer = parseBackendName(options.prefer, 'prefer');
  const context: LoaderContext = {
    threads: options.threads ?? parseThreads(env.FEDCL_THREADS),
    kernels: options.kernels ?? parseKernels(env.FEDCL_KERNELS),
    loadOrt: options.loadOrt,
  };
  registerGroupNormKernels();
  const rungs = force ? [force] : BACKEND_LADDER.slice(prefer ? BACKEND_LADDER.indexOf(prefer) : 0);
  const fallbacks: BackendFallback[] = [];
  for (const name of rungs) {
    const loader = options.loaders?.[name] ?? DEFAULT_LOADERS[name];
    try {
      const loaded = await loader(context);
      return {
        name,
        tfBackend: loaded.tfBackend,
        version: loaded.version,
        ...(loaded.threads !== undefined ? { threads: loaded.threads } : {}),
        ...(loaded.simd !== undefined ? { simd: loaded.simd } : {}),
        kernels: loaded.kernels,
        fallbacks: [...fallbacks, ...(loaded.fallbacks ?? [])],
      };
    } catch (e) {
      // Kernels that were asked for by name must not be swapped silently for another rung either.
      if (e instanceof OrtUnavailableError && context.kernels === 'onnxruntime-mlas') throw new BackendUnavailableError(e.message);
      if (force) throw new BackendUnavailableError(`backend '${force}' was forced (FEDCL_BACKEND) but cannot be used: ${firstLine(e)}`);
      fallbacks.push({ name, reason: firstLine(e) });
    }
  }
  throw new BackendUnavailableError(`no compute backend could be used: ${fallbacks.map((f) => `${f.name}: ${f.reason}`).join('; ')}`);
}
