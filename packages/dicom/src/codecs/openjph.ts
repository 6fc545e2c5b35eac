/** High-Throughput JPEG 2000 (.201 lossless, .202 lossless RPCL, .203) through the OpenJPH WASM build. */
import { lazyModule, quiet } from './wasmLoader.js';
import { decodeJ2kWith, decodeOpenjpeg } from './openjpeg.js';
import { isDicomError } from '../errors.js';
import type { DecodedFrame, FrameInfo } from './types.js';

const CODEC = 'HTJ2K decoder (OpenJPH)';
const openjph = lazyModule(async () => (await import('@cornerstonejs/codec-openjph/wasmjs')).default(quiet()));

/** The process's OpenJPH module instance (it also has the HTJ2K encoder). */
export const openjphModule = (): ReturnType<typeof openjph.get> => openjph.get();

/**
 * Decodes one HTJ2K frame; precision and signedness come from the codestream, as for JPEG 2000.
 * OpenJPH decodes only HT code-blocks; a codestream it rejects (e.g. Part 1 code-blocks, which
 * some writers put under the HTJ2K UIDs) gets a second try with OpenJPEG, which decodes both.
 * When both fail, OpenJPH's error is the one reported.
 */
export async function decodeOpenjph(encoded: Uint8Array, info: FrameInfo): Promise<DecodedFrame> {
  try {
    return await decodeJ2kWith(CODEC, openjph, (m) => new m.HTJ2KDecoder(), encoded, info);
  } catch (err) {
    if (!isDicomError(err) || err.code !== 'CORRUPT_PIXEL_DATA') throw err;
    return decodeOpenjpeg(encoded, info).catch(() => {
      throw err;
    });
  }
}
