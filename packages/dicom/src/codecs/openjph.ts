/** High-Throughput JPEG 2000 (.201 lossless, .202 lossless RPCL, .203) through the OpenJPH WASM build. */
import { lazyModule, quiet } from './wasmLoader.js';
import { decodeJ2kWith } from './openjpeg.js';
import type { DecodedFrame, FrameInfo } from './types.js';

const CODEC = 'HTJ2K decoder (OpenJPH)';
const openjph = lazyModule(async () => (await import('@cornerstonejs/codec-openjph/wasmjs')).default(quiet()));

/** The process's one OpenJPH module instance (it also has the HTJ2K encoder). */
export const openjphModule = (): ReturnType<typeof openjph.get> => openjph.get();

/** Decodes one HTJ2K frame; precision and signedness come from the codestream, as for JPEG 2000. */
export async function decodeOpenjph(encoded: Uint8Array, info: FrameInfo): Promise<DecodedFrame> {
  return decodeJ2kWith(CODEC, openjph, (m) => new m.HTJ2KDecoder(), encoded, info);
}
