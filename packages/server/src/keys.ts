import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  exportPrivateJwk,
  exportPublicJwk,
  generateEncryptionKeyPair,
  generateSigningKeyPair,
  importEncryptionPrivateKey,
  importEncryptionPublicKey,
  importSigningPrivateKey,
  importSigningPublicKey,
  type KeyPair,
  type PublicJwk,
} from '@fedcl/protocol';
import { writeFileDurably } from './store/blobs.js';

export interface CoordinatorKeyring {
  /** ES256: site JWTs and model manifests */
  signing: KeyPair;
  /** ECDH-ES+A256KW: update decryption */
  encryption: KeyPair;
  signingJwk: PublicJwk;
  encryptionJwk: PublicJwk;
}

async function loadOrCreate(dir: string, file: string, generate: () => Promise<KeyPair>, importPrivate: (jwk: unknown) => Promise<CryptoKey>, importPublic: (jwk: unknown) => Promise<CryptoKey>): Promise<{ pair: KeyPair; jwk: PublicJwk }> {
  const path = join(dir, file);
  if (existsSync(path)) {
    const jwk = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
    const { d: _d, key_ops: _ops, ext: _ext, ...pub } = jwk;
    const pair = { privateKey: await importPrivate(jwk), publicKey: await importPublic({ kty: pub.kty, crv: pub.crv, x: pub.x, y: pub.y }) };
    return { pair, jwk: await exportPublicJwk(pair.publicKey) };
  }
  const pair = await generate();
  writeFileDurably(dir, file, new TextEncoder().encode(JSON.stringify(await exportPrivateJwk(pair.privateKey))));
  return { pair, jwk: await exportPublicJwk(pair.publicKey) };
}

/** The coordinator's two key pairs, created on first start in `<store>/keys` (private JWKs, mode 0600). */
export async function loadKeyring(storeDir: string): Promise<CoordinatorKeyring> {
  const dir = join(storeDir, 'keys');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const s = await loadOrCreate(dir, 'signing.jwk.json', generateSigningKeyPair, (j) => importSigningPrivateKey(j), (j) => importSigningPublicKey(j));
  const e = await loadOrCreate(dir, 'encryption.jwk.json', generateEncryptionKeyPair, (j) => importEncryptionPrivateKey(j), (j) => importEncryptionPublicKey(j));
  return { signing: s.pair, encryption: e.pair, signingJwk: s.jwk, encryptionJwk: e.jwk };
}
