/**
 * Types for the Emscripten/embind builds of the @cornerstonejs codecs, which ship none.
 * Each module's default export is a factory resolving to the instantiated WASM module.
 */

interface CodecFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
  isUsingColorTransform?: boolean;
}

interface WasmDecoder {
  /** A view into WASM memory of `length` bytes to copy the encoded stream into. */
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): CodecFrameInfo;
  /** A view into WASM memory; invalid after `delete()` or the next allocation. */
  getDecodedBuffer(): Uint8Array;
  delete(): void;
}

interface WasmEncoder {
  getDecodedBuffer(frameInfo: CodecFrameInfo): Uint8Array;
  setQuality(lossless: boolean, quantizationStep: number): void;
  encode(): void;
  getEncodedBuffer(): Uint8Array;
  delete(): void;
}

declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  const factory: (options?: { print?: (s: string) => void; printErr?: (s: string) => void }) => Promise<{ J2KDecoder: new () => WasmDecoder }>;
  export default factory;
}

declare module '@cornerstonejs/codec-charls/decodewasmjs' {
  const factory: (options?: { print?: (s: string) => void; printErr?: (s: string) => void }) => Promise<{ JpegLSDecoder: new () => WasmDecoder & { getInterleaveMode(): number; getNearLossless(): number } }>;
  export default factory;
}

declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs' {
  const factory: (options?: { print?: (s: string) => void; printErr?: (s: string) => void }) => Promise<{ JPEGDecoder: new () => WasmDecoder }>;
  export default factory;
}

declare module '@cornerstonejs/codec-openjph/wasmjs' {
  const factory: (options?: { print?: (s: string) => void; printErr?: (s: string) => void }) => Promise<{ HTJ2KDecoder: new () => WasmDecoder; HTJ2KEncoder: new () => WasmEncoder }>;
  export default factory;
}
