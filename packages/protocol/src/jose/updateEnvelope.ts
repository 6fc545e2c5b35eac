import './base64Polyfill.js';
import { flattenedDecrypt, FlattenedEncrypt, type CryptoKey } from 'jose';
import { ProtocolError } from '../errors.js';
import type { JweHeader } from '../schemas/socket.js';
import { CONTENT_ENC, KEY_AGREEMENT_ALG } from './keys.js';

/** Which update a ciphertext belongs to; bound into the JWE protected header (authenticated by GCM). */
export interface UpdateBinding {
  round: number;
  updateId: string;
}

export const UPDATE_CONTENT_TYPE = 'application/vnd.fedcl.weights';

/**
 * Encrypts an encoded update to the coordinator (JWE, ECDH-ES+A256KW, A256GCM). The JWE is the
 * flattened serialisation with its ciphertext kept as raw bytes, so it travels in binary chunks
 * without base64 overhead; `jwe` holds the other (small) members.
 */
export async function encryptUpdate(plaintext: Uint8Array, coordinatorKey: CryptoKey, binding: UpdateBinding, kid?: string): Promise<{ jwe: JweHeader; ciphertext: Uint8Array }> {
  const flat = await new FlattenedEncrypt(plaintext)
    .setProtectedHeader({
      alg: KEY_AGREEMENT_ALG,
      enc: CONTENT_ENC,
      cty: UPDATE_CONTENT_TYPE,
      'fedcl.round': binding.round,
      'fedcl.uid': binding.updateId,
      ...(kid ? { kid } : {}),
    })
    .encrypt(coordinatorKey);
  const ciphertext = Buffer.from(flat.ciphertext, 'base64url');
  return {
    jwe: { protected: flat.protected!, encrypted_key: flat.encrypted_key!, iv: flat.iv!, tag: flat.tag! },
    ciphertext: new Uint8Array(ciphertext.buffer, ciphertext.byteOffset, ciphertext.byteLength),
  };
}

/**
 * Decrypts an update and checks the binding in its protected header. Any tampering with header,
 * key, IV, ciphertext or tag fails GCM authentication: ProtocolError('update.decrypt_failed').
 */
export async function decryptUpdate(jwe: JweHeader, ciphertext: Uint8Array, coordinatorKey: CryptoKey, binding: UpdateBinding): Promise<Uint8Array> {
  let result;
  try {
    result = await flattenedDecrypt(
      { ...jwe, ciphertext: Buffer.from(ciphertext.buffer, ciphertext.byteOffset, ciphertext.byteLength).toString('base64url') },
      coordinatorKey,
      { keyManagementAlgorithms: [KEY_AGREEMENT_ALG], contentEncryptionAlgorithms: [CONTENT_ENC] },
    );
  } catch (err) {
    throw new ProtocolError('update.decrypt_failed', `update ${binding.updateId} does not decrypt (${(err as Error).message}): it was tampered with or encrypted to another key; re-encrypt to the coordinator's current encryption key and resend`);
  }
  const h = result.protectedHeader as Record<string, unknown>;
  if (h['fedcl.round'] !== binding.round || h['fedcl.uid'] !== binding.updateId || h.cty !== UPDATE_CONTENT_TYPE) {
    throw new ProtocolError('update.claims_mismatch', `the JWE header binds round ${String(h['fedcl.round'])} / update ${String(h['fedcl.uid'])}, not round ${binding.round} / update ${binding.updateId}`);
  }
  return result.plaintext;
}
