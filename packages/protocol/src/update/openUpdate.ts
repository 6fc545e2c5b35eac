import type { CryptoKey } from 'jose';
import { sha256Hex } from '../codec/sha256.js';
import { findNonFinite, type NamedTensors } from '../codec/tensors.js';
import { decodeWeights, type WeightLimits } from '../codec/weights.js';
import { ProtocolError } from '../errors.js';
import { decryptUpdate } from '../jose/updateEnvelope.js';
import type { TensorSpec } from '../schemas/manifest.js';
import type { UpdateClaims } from '../schemas/socket.js';
import type { FederatedNames } from './policy.js';
import { checkAgainstSpec } from './spec.js';

/**
 * Coordinator side of an upload, once every chunk is in: whole-ciphertext SHA-256 against the
 * signed claims → decrypt → decode within limits → names and shapes against the global model →
 * every value finite. Throws ProtocolError at the first failure.
 */
export async function openUpdate(
  ciphertext: Uint8Array,
  claims: UpdateClaims,
  o: { coordinatorKey: CryptoKey; limits: WeightLimits; spec: readonly TensorSpec[]; names: FederatedNames },
): Promise<NamedTensors> {
  const got = sha256Hex(ciphertext);
  if (ciphertext.length !== claims.bytes || got !== claims.sha256) {
    throw new ProtocolError('update.hash_mismatch', `update ${claims.updateId}: ciphertext (${ciphertext.length} bytes, sha256 ${got}) does not match the signed claims (${claims.bytes} bytes, ${claims.sha256}); it was altered in transit: resend`);
  }
  const plain = await decryptUpdate(claims.jwe, ciphertext, o.coordinatorKey, { round: claims.round, updateId: claims.updateId });
  const tensors = decodeWeights(plain, o.limits);
  checkAgainstSpec(tensors, o.spec, o.names);
  const bad = findNonFinite(tensors);
  if (bad) throw new ProtocolError('weights.non_finite', `tensor '${bad.name}' has ${bad.value} at index ${bad.index}: refusing a non-finite update`, bad.name);
  return tensors;
}
