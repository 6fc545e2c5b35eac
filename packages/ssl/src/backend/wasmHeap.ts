import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * A float32 view of a tensor's data inside the wasm heap. Take views only after every output of
 * the kernel is allocated: an allocation may grow the heap and detach earlier views.
 */
export function heapView(backend: BackendWasm, t: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}
