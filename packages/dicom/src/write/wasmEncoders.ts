import { createRequire } from 'node:module';
import { quiet } from '../codecs/wasmLoader.js';
import { DicomWriteError } from './errors.js';

/**
 * The JPEG-LS (CharLS) and JPEG 2000 (OpenJPEG) encoders shipped as WebAssembly inside the
 * @cornerstonejs codec packages. Their factories are asynchronous, so they are instantiated
 * once by `loadPixelEncoders()`; encoding itself is then synchronous.
 */

/** The frame description both wasm encoders take. */
export interface WasmFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned: boolean;
  isUsingColorTransform?: boolean;
}

interface WasmEncoder {
  /** Allocates the input buffer inside wasm memory and returns a view of it. */
  getDecodedBuffer(info: WasmFrameInfo): Uint8Array;
  encode(): void;
  /** A view of the encoded stream inside wasm memory: copy it before `delete()`. */
  getEncodedBuffer(): Uint8Array;
  delete(): void;
}

export interface CharlsModule {
  JpegLSEncoder: new () => WasmEncoder & { setNearLossless(n: number): void };
}

export interface OpenJpegModule {
  J2KEncoder: new () => WasmEncoder & {
    setQuality(lossless: boolean, quantizationStep: number): void;
    setDecompositions(levels: number): void;
  };
}

export interface PixelEncoders {
  charls: CharlsModule;
  openjpeg: OpenJpegModule;
}

let loaded: PixelEncoders | undefined;
let loading: Promise<PixelEncoders> | undefined;

/** Instantiates the wasm encoders (once per process); call before writing JPEG-LS or JPEG 2000. */
export function loadPixelEncoders(): Promise<PixelEncoders> {
  loading ??= (async () => {
    const require = createRequire(import.meta.url);
    const charlsFactory = require('@cornerstonejs/codec-charls/wasmjs') as (o: object) => Promise<CharlsModule>;
    const openjpegFactory = require('@cornerstonejs/codec-openjpeg/wasmjs') as (o: object) => Promise<OpenJpegModule>;
    // A fresh options object each: Emscripten modules keep state on it. Their prints go to the
    // codec debug log, never to stdout (the CLI's data channel).
    const [charls, openjpeg] = await Promise.all([charlsFactory(quiet()), openjpegFactory(quiet())]);
    loaded = { charls, openjpeg };
    return loaded;
  })();
  return loading;
}

/** The loaded encoders, or a clear error naming the call that was missed. */
export function pixelEncoders(codec: string): PixelEncoders {
  if (!loaded) {
    throw new DicomWriteError('ENCODER_NOT_LOADED', `the ${codec} encoder is WebAssembly: await loadPixelEncoders() once before writing ${codec}`);
  }
  return loaded;
}

/**
 * Runs one wasm encoder over one frame: copies the samples' bytes (host order, which is what
 * the encoders read) in, encodes, copies the stream out, and frees the encoder.
 */
export function runWasmEncoder(encoder: WasmEncoder, info: WasmFrameInfo, samples: Uint8Array | Int8Array | Uint16Array | Int16Array): Uint8Array {
  try {
    const input = encoder.getDecodedBuffer(info);
    const bytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
    if (input.length !== bytes.length) {
      throw new DicomWriteError('INVALID_PIXEL_DATA', `encoder expects ${input.length} bytes for this frame, got ${bytes.length}`);
    }
    input.set(bytes);
    encoder.encode();
    return Uint8Array.from(encoder.getEncodedBuffer());
  } finally {
    encoder.delete();
  }
}
