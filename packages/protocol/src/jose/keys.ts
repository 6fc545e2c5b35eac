import './base64Polyfill.js';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { ProtocolError } from '../errors.js';
import { PublicJwk } from '../schemas/common.js';
import { validate } from '../validate.js';

/** ES256: site identity JWTs, site update signatures, model manifests. */
export const SIGNING_ALG = 'ES256';
/** Updates are encrypted to the coordinator with this key agreement and content encryption. */
export const KEY_AGREEMENT_ALG = 'ECDH-ES+A256KW';
export const CONTENT_ENC = 'A256GCM';

export interface KeyPair {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

/** A P-256 key pair for ES256 signatures (a site's identity key, the coordinator's signing key). */
export function generateSigningKeyPair(): Promise<KeyPair> {
  return generateKeyPair(SIGNING_ALG, { extractable: true });
}

/** A P-256 key pair for ECDH-ES+A256KW (the coordinator's update decryption key). */
export function generateEncryptionKeyPair(): Promise<KeyPair> {
  return generateKeyPair(KEY_AGREEMENT_ALG, { crv: 'P-256', extractable: true });
}

/** The public half as a JWK with only kty/crv/x/y (+ kid = RFC 7638 thumbprint). */
export async function exportPublicJwk(key: CryptoKey): Promise<PublicJwk> {
  const jwk = await exportJWK(key);
  const pub = { kty: 'EC' as const, crv: 'P-256' as const, x: String(jwk.x), y: String(jwk.y) };
  return { ...pub, kid: await calculateJwkThumbprint(pub) };
}

/** The full private JWK, for storing a key on disk (mode 0600). */
export function exportPrivateJwk(key: CryptoKey): Promise<JWK> {
  return exportJWK(key);
}

/** RFC 7638 SHA-256 thumbprint of a public key (binds JWTs to the site key: `cnf.jkt`). */
export function jwkThumbprint(jwk: PublicJwk): Promise<string> {
  return calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y });
}

async function importKey(jwk: unknown, alg: string, what: string, isPrivate: boolean): Promise<CryptoKey> {
  if (!isPrivate) validate(PublicJwk, jwk, what);
  else if (typeof (jwk as JWK)?.d !== 'string') throw new ProtocolError('key.invalid', `${what}: a private JWK needs "d"`, what);
  try {
    const key = await importJWK(jwk as JWK, alg);
    return key as CryptoKey;
  } catch (err) {
    throw new ProtocolError('key.invalid', `${what}: not a usable P-256 key (${(err as Error).message})`, what);
  }
}

export const importSigningPublicKey = (jwk: unknown, what = 'publicKey'): Promise<CryptoKey> => importKey(jwk, SIGNING_ALG, what, false);
export const importSigningPrivateKey = (jwk: unknown, what = 'privateKey'): Promise<CryptoKey> => importKey(jwk, SIGNING_ALG, what, true);
export const importEncryptionPublicKey = (jwk: unknown, what = 'encryptionKey'): Promise<CryptoKey> => importKey(jwk, KEY_AGREEMENT_ALG, what, false);
export const importEncryptionPrivateKey = (jwk: unknown, what = 'encryptionKey'): Promise<CryptoKey> => importKey(jwk, KEY_AGREEMENT_ALG, what, true);
