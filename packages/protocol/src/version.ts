/** Wire protocol version carried in every message (`v`). Bump on any incompatible change. */
export const PROTOCOL_VERSION = 1;

/** Largest chunk of an update on the wire: 1 MiB. */
export const MAX_CHUNK_BYTES = 1 << 20;
