import { ProtocolError } from '../errors.js';
import { MAX_CHUNK_BYTES } from '../version.js';
import { sha256Hex } from './sha256.js';

/** One piece of an upload: `data` is a view into the whole, not a copy. */
export interface Chunk {
  index: number;
  sha256: string;
  data: Uint8Array;
}

/** Splits `bytes` into ⌈len / chunkSize⌉ chunks (the last may be shorter), each with its SHA-256. */
export function splitChunks(bytes: Uint8Array, chunkSize: number = MAX_CHUNK_BYTES): Chunk[] {
  if (!(Number.isInteger(chunkSize) && chunkSize > 0 && chunkSize <= MAX_CHUNK_BYTES)) {
    throw new ProtocolError('chunk.too_large', `chunk size ${chunkSize} must be an integer in [1, ${MAX_CHUNK_BYTES}]`);
  }
  const chunks: Chunk[] = [];
  for (let offset = 0, index = 0; offset < bytes.length; offset += chunkSize, index++) {
    const data = bytes.subarray(offset, Math.min(bytes.length, offset + chunkSize));
    chunks.push({ index, sha256: sha256Hex(data), data });
  }
  return chunks;
}

/** Number of chunks for `bytes` bytes. */
export function chunkCount(bytes: number, chunkSize: number): number {
  return Math.ceil(bytes / chunkSize);
}

/** Exact length chunk `index` must have in an upload of `bytes` bytes. */
export function expectedChunkLength(index: number, bytes: number, chunkSize: number): number {
  return Math.min(chunkSize, bytes - index * chunkSize);
}

/**
 * Checks one received chunk against the upload it belongs to: index in range, exact length, hash.
 * Throws ProtocolError naming what is wrong; the caller keeps nothing from a refused chunk.
 */
export function verifyChunk(chunk: Chunk, upload: { bytes: number; chunkSize: number; chunks: number }): void {
  if (!Number.isInteger(chunk.index) || chunk.index < 0 || chunk.index >= upload.chunks) {
    throw new ProtocolError('chunk.malformed', `chunk index ${chunk.index} is outside [0, ${upload.chunks - 1}]`, 'index');
  }
  const want = expectedChunkLength(chunk.index, upload.bytes, upload.chunkSize);
  if (chunk.data.length > upload.chunkSize) {
    throw new ProtocolError('chunk.too_large', `chunk ${chunk.index} has ${chunk.data.length} bytes, more than the announced chunk size ${upload.chunkSize}`, 'data');
  }
  if (chunk.data.length !== want) {
    throw new ProtocolError('chunk.malformed', `chunk ${chunk.index} has ${chunk.data.length} bytes, expected ${want}`, 'data');
  }
  const got = sha256Hex(chunk.data);
  if (got !== chunk.sha256) {
    throw new ProtocolError('chunk.hash_mismatch', `chunk ${chunk.index} hashes to ${got}, not the announced ${chunk.sha256}: resend it`, 'sha256');
  }
}

/** Chunks still to send after a (re)connect, given the indices the coordinator says it has. */
export function missingChunks(total: number, have: readonly number[]): number[] {
  const got = new Set(have);
  const out: number[] = [];
  for (let i = 0; i < total; i++) if (!got.has(i)) out.push(i);
  return out;
}
