/**
 * `Uint8Array.fromBase64` and `Uint8Array.prototype.toBase64` (TC39 "Uint8Array to/from base64",
 * in V8 from Node 25) backed by Buffer, installed only where missing. jose uses them when present
 * and otherwise falls back to atob/btoa with a per-character loop, which takes seconds for the
 * 45–60 MB strings of a model-sized JWE; with these it is a memcpy-speed Buffer call.
 * Only the options jose uses are honoured (alphabet, omitPadding); invalid characters throw a
 * SyntaxError as the specification requires (Buffer alone would skip them silently).
 */
type Alphabet = 'base64' | 'base64url';

const VALID: Record<Alphabet, RegExp> = {
  base64: /^[A-Za-z0-9+/]*={0,2}$/,
  base64url: /^[A-Za-z0-9_-]*={0,2}$/,
};

function fromBase64(input: string, options: { alphabet?: Alphabet } = {}): Uint8Array {
  const alphabet = options.alphabet ?? 'base64';
  if (typeof input !== 'string') throw new TypeError('fromBase64 expects a string');
  if (!VALID[alphabet].test(input) || input.replace(/=+$/, '').length % 4 === 1) throw new SyntaxError(`invalid ${alphabet} string`);
  const b = Buffer.from(input, alphabet);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function toBase64(this: Uint8Array, options: { alphabet?: Alphabet; omitPadding?: boolean } = {}): string {
  const alphabet = options.alphabet ?? 'base64';
  const s = Buffer.from(this.buffer, this.byteOffset, this.byteLength).toString(alphabet);
  // Node omits padding for base64url and keeps it for base64; the specification pads unless told not to.
  const unpadded = s.replace(/=+$/, '');
  return options.omitPadding ? unpadded : unpadded.padEnd(Math.ceil(unpadded.length / 4) * 4, '=');
}

/** Installs the two methods if this runtime lacks them. Idempotent. */
export function installBase64(): void {
  const ctor = Uint8Array as unknown as { fromBase64?: unknown };
  if (typeof ctor.fromBase64 !== 'function') Object.defineProperty(Uint8Array, 'fromBase64', { value: fromBase64, writable: true, configurable: true });
  const proto = Uint8Array.prototype as unknown as { toBase64?: unknown };
  if (typeof proto.toBase64 !== 'function') Object.defineProperty(Uint8Array.prototype, 'toBase64', { value: toBase64, writable: true, configurable: true });
}

installBase64();
