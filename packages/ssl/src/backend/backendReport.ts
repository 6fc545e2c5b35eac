/** The rungs of the compute-backend ladder (DESIGN.md "Compute backends"), best first. */
export const BACKEND_LADDER = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const;

export type BackendName = (typeof BACKEND_LADDER)[number];

/**
 * Where the heavy kernels (convolutions and their gradients) run:
 * - `native`: libtensorflow inside tfjs-node / tfjs-node-gpu;
 * - `onnxruntime-mlas`: fedcl's provider running them on onnxruntime-node's MLAS (multi-threaded);
 * - `fedcl-wasm`: fedcl's im2col + XNNPACK-matmul kernels on the wasm backend (single-threaded);
 * - `tfjs-cpu`: the plain JavaScript kernels of tfjs-backend-cpu.
 */
export type KernelProvider = 'native' | 'onnxruntime-mlas' | 'fedcl-wasm' | 'tfjs-cpu';

export interface BackendFallback {
  /** A backend rung or a kernel provider (`kernels:onnxruntime-mlas`) that was tried and not used. */
  name: string;
  reason: string;
}

/** What `initBackend` chose; printed at start by callers and written into every manifest. */
export interface BackendReport {
  /** The ladder rung in use. */
  name: BackendName;
  /** The tfjs backend name it registered (`tensorflow`, `wasm`, `cpu`). */
  tfBackend: string;
  /** Version of the package providing the backend. */
  version: string;
  /** Threads the heavy kernels use, when known. */
  threads?: number;
  /** Whether the wasm module uses SIMD (wasm backend only). */
  simd?: boolean;
  kernels: KernelProvider;
  /** Everything tried before the chosen one, with why it was not used. */
  fallbacks: BackendFallback[];
}

/** One line for logs: `wasm 4.22.0 (kernels onnxruntime-mlas, 2 threads, simd); fell back from tfjs-node: …`. */
export function formatBackendReport(report: BackendReport): string {
  const details = [`kernels ${report.kernels}`];
  if (report.threads !== undefined) details.push(`${report.threads} thread${report.threads === 1 ? '' : 's'}`);
  if (report.simd !== undefined) details.push(report.simd ? 'simd' : 'no simd');
  const head = `${report.name} ${report.version} (${details.join(', ')})`;
  if (report.fallbacks.length === 0) return head;
  return `${head}; not used: ${report.fallbacks.map((f) => `${f.name}: ${f.reason}`).join('; ')}`;
}
