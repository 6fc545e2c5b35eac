import { debuglog } from 'node:util';

/**
 * Lazily instantiates an Emscripten codec module once and caches it. A codec that traps
 * (abort, out-of-bounds access) can leave its instance unusable, so `reset` drops it and the
 * next decode instantiates a fresh one.
 */
export interface LazyModule<M> {
  get(): Promise<M>;
  reset(): void;
}

export function lazyModule<M>(load: () => Promise<M>): LazyModule<M> {
  let pending: Promise<M> | undefined;
  return {
    get() {
      pending ??= load().catch((err: unknown) => {
        pending = undefined;
        throw err;
      });
      return pending;
    },
    reset() {
      pending = undefined;
    },
  };
}

/** Codec log lines, shown on stderr with NODE_DEBUG=fedcl-codecs. */
const codecLog = debuglog('fedcl-codecs');

/**
 * Emscripten module options that keep the codecs' logging off stdout. stdout is the CLI's data
 * channel (`fedcl dicom info --json`, `--events json`), and OpenJPEG prints `[INFO] …` lines for
 * every decode through Module.print, which defaults to console.log; both print and printErr go
 * to a debug log instead. A fresh object per instance: a MODULARIZE factory uses the object it
 * is given as its Module and registers its embind names on it, so sharing one object between two
 * instantiations makes the second fail ("Cannot register public name … twice").
 */
export function quiet(): { print: (s: string) => void; printErr: (s: string) => void } {
  return { print: (s) => codecLog('%s', s), printErr: (s) => codecLog('%s', s) };
}
