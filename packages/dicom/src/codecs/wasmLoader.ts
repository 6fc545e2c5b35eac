/**
 * Lazily instantiates an Emscripten codec module once and caches it. A codec that traps
 * (abort, out-of-bounds) can leave its module unusable, so `reset` drops the cached
 * instance and the next decode instantiates a fresh one.
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

/** Emscripten module options that silence the codecs' informational logging on stdout/stderr. */
export const QUIET = { print: (): void => undefined, printErr: (): void => undefined };
