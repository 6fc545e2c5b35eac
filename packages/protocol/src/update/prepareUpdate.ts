import { randomBytes } from 'node:crypto';
import type { CryptoKey } from 'jose';
import { splitChunks } from '../codec/chunks.js';
import { sha256Hex } from '../codec/sha256.js';
import type { NamedTensors } from '../codec/tensors.js';
import { encodeWeights } from '../codec/weights.js';
import { encryptUpdate } from '../jose/updateEnvelope.js';
import { signUpdateClaims } from '../jose/updateSignature.js';
import type { Metrics, UpdateKind, WeightDtype } from '../schemas/common.js';
import type { UpdateBegin, UpdateChunk, UpdateClaims, UpdateCommit } from '../schemas/socket.js';
import { MAX_CHUNK_BYTES, PROTOCOL_VERSION } from '../version.js';

export interface PrepareUpdateOptions {
  /** The federated tensors only (FederatedNames.select), as delta or full weights per `kind`. */
  tensors: NamedTensors;
  kind: UpdateKind;
  dtype: WeightDtype;
  siteId: string;
  round: number;
  nonce: string;
  baseVersion: number;
  samples: number;
  metrics?: Metrics;
  backend?: string;
  /** the site's enrolled ES256 private key */
  siteKey: CryptoKey;
  /** the coordinator's ECDH-ES public key (from enrolment) */
  coordinatorEncryptionKey: CryptoKey;
  chunkSize?: number;
  /** default: 128 random bits */
  updateId?: string;
}

/** Everything a site sends for one update; keep it until update.ack to resume after a reconnect. */
export interface PreparedUpdate {
  updateId: string;
  claims: UpdateClaims;
  begin: UpdateBegin;
  /** one message per chunk, in order */
  chunks: UpdateChunk[];
  commit: UpdateCommit;
  /** encoded (plaintext) size and ciphertext size, for reports */
  encodedBytes: number;
  bytes: number;
}

/**
 * Site side of an upload: encode (fp32/fp16/int8) → encrypt (JWE to the coordinator) → chunk
 * (≤ 1 MiB, SHA-256 each) → sign the claims (round, nonce, update id, ciphertext SHA-256, samples,
 * metrics) with the site key. Send `begin`, then the chunks the coordinator lacks, then `commit`.
 */
export async function prepareUpdate(o: PrepareUpdateOptions): Promise<PreparedUpdate> {
  const updateId = o.updateId ?? randomBytes(16).toString('base64url');
  const encoded = encodeWeights(o.tensors, o.dtype);
  const { jwe, ciphertext } = await encryptUpdate(encoded, o.coordinatorEncryptionKey, { round: o.round, updateId });
  const chunkSize = o.chunkSize ?? MAX_CHUNK_BYTES;
  const pieces = splitChunks(ciphertext, chunkSize);
  const claims: UpdateClaims = {
    v: PROTOCOL_VERSION,
    site: o.siteId,
    round: o.round,
    nonce: o.nonce,
    updateId,
    baseVersion: o.baseVersion,
    kind: o.kind,
    samples: o.samples,
    sha256: sha256Hex(ciphertext),
    bytes: ciphertext.length,
    chunkSize,
    chunks: pieces.length,
    jwe,
    metrics: o.metrics ?? {},
    ...(o.backend ? { backend: o.backend } : {}),
  };
  const jws = await signUpdateClaims(claims, o.siteKey);
  return {
    updateId,
    claims,
    begin: { type: 'update.begin', v: PROTOCOL_VERSION, jws },
    chunks: pieces.map((c) => ({ type: 'update.chunk', v: PROTOCOL_VERSION, updateId, index: c.index, sha256: c.sha256, data: c.data })),
    commit: { type: 'update.commit', v: PROTOCOL_VERSION, updateId },
    encodedBytes: encoded.length,
    bytes: ciphertext.length,
  };
}
