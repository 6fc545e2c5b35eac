import type { LazyModule } from './wasmLoader.js';
import { corrupt } from './frameLayout.js';

/**
 * Runs one decode with an embind decoder: copies the stream into WASM memory, decodes, hands the
 * decoder to `read` (which must copy what it needs out), and always frees the decoder. Any codec
 * failure becomes CORRUPT_PIXEL_DATA; a trap also drops the instance so the next call starts clean.
 */
export async function withWasmDecoder<M, T, D extends WasmDecoder = WasmDecoder>(
  codec: string,
  module: LazyModule<M>,
  create: (m: M) => D,
  encoded: Uint8Array,
  read: (decoder: D) => T,
): Promise<T> {
  const m = await module.get();
  let decoder: D | undefined;
  let decoded = false;
  try {
    decoder = create(m);
    decoder.getEncodedBuffer(encoded.length).set(encoded);
    decoder.decode();
    decoded = true;
    return read(decoder);
  } catch (err) {
    if (err instanceof WebAssembly.RuntimeError) module.reset();
    if (!decoded) throw corrupt(codec, 'the codec rejected the stream', describe(err));
    throw err;
  } finally {
    try {
      decoder?.delete();
    } catch {
      module.reset();
    }
  }
}

/** Emscripten throws numbers (C++ exception pointers) or strings as often as Errors. */
function describe(err: unknown): unknown {
  if (err instanceof Error || typeof err === 'string') return err;
  return `codec exception ${String(err)}`;
}
