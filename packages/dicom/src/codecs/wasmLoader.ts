/**
 * Lazily instantiates an Emscripten codec module once and caches it. These embind builds
 * register global names, so a module can be instantiated only once per process (a second
 * instantiation throws "Cannot register public name … twice"): everything that uses a codec,
 * tests included, must go through the one cached instance.
 */
export interface LazyModule<M> {
  get(): Promise<M>;
}

export function lazyModule<M>(load: () => Promise<M>): LazyModule<M> {
  let pending: Promise<M> | undefined;
  return {
    get() {
      pending ??= load();
      return pending;
    },
  };
}

/** Emscripten module options that silence the codecs' informational logging on stdout/stderr. */
export const QUIET = { print: (): void => undefined, printErr: (): void => undefined };
