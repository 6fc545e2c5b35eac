import './base64Polyfill.js';
import { CompactSign, compactVerify, decodeProtectedHeader, type CryptoKey } from 'jose';
import { sha256Hex } from '../codec/sha256.js';
import { ProtocolError } from '../errors.js';
import { ModelManifest } from '../schemas/manifest.js';
import { validate } from '../validate.js';
import { fromJoseError } from './joseErrors.js';
import { SIGNING_ALG } from './keys.js';

const TYP = 'fedcl-manifest+jws';

/** Signs a model manifest with the coordinator's signing key (JWS compact, ES256). */
export function signManifest(manifest: ModelManifest, coordinatorKey: CryptoKey): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(manifest))).setProtectedHeader({ alg: SIGNING_ALG, typ: TYP }).sign(coordinatorKey);
}

export interface VerifyManifestOptions {
  /** Refuse versions below this (the version the site already holds): no rollback to stale models. */
  minVersion?: number;
  /** Refuse anything but this version (the one round.start announced). */
  expectedVersion?: number;
}

/**
 * Verifies a signed model manifest. Refuses a missing or unsigned one (manifest.unsigned), a bad
 * signature (manifest.bad_signature) and a stale version (manifest.stale).
 */
export async function verifyManifest(jws: unknown, coordinatorKey: CryptoKey, o: VerifyManifestOptions = {}): Promise<ModelManifest> {
  if (typeof jws !== 'string' || jws.split('.').length !== 3) {
    throw new ProtocolError('manifest.unsigned', 'the model manifest is not a signed JWS: refusing the model');
  }
  let header;
  try {
    header = decodeProtectedHeader(jws);
  } catch {
    throw new ProtocolError('manifest.unsigned', 'the model manifest has no readable JWS header: refusing the model');
  }
  if (header.alg === 'none' || !header.alg || jws.endsWith('.')) throw new ProtocolError('manifest.unsigned', `the model manifest is unsigned (alg ${String(header.alg)}): refusing the model`);
  if (header.typ !== TYP) throw new ProtocolError('manifest.bad_signature', `JWS typ '${String(header.typ)}' is not a model manifest (${TYP})`);
  let payload: Uint8Array;
  try {
    payload = (await compactVerify(jws, coordinatorKey, { algorithms: [SIGNING_ALG] })).payload;
  } catch (err) {
    throw fromJoseError(err, 'model manifest', { forged: 'manifest.bad_signature', invalid: 'manifest.bad_signature' });
  }
  const manifest = validate(ModelManifest, JSON.parse(new TextDecoder().decode(payload)), 'manifest');
  if (o.minVersion !== undefined && manifest.version < o.minVersion) {
    throw new ProtocolError('manifest.stale', `model version ${manifest.version} is older than version ${o.minVersion} already held: refusing a rollback`);
  }
  if (o.expectedVersion !== undefined && manifest.version !== o.expectedVersion) {
    throw new ProtocolError('manifest.stale', `model version ${manifest.version} is not the announced version ${o.expectedVersion}`);
  }
  return manifest;
}

/** Checks downloaded weights against the signed manifest's SHA-256 and size. */
export function verifyModelWeights(bytes: Uint8Array, manifest: ModelManifest): void {
  const got = sha256Hex(bytes);
  if (bytes.length !== manifest.bytes || got !== manifest.sha256) {
    throw new ProtocolError('manifest.hash_mismatch', `model ${manifest.version} weights (${bytes.length} bytes, sha256 ${got}) do not match the signed manifest (${manifest.bytes} bytes, ${manifest.sha256})`);
  }
}
