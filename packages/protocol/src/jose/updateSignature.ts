import './base64Polyfill.js';
import { CompactSign, compactVerify, decodeProtectedHeader, type CryptoKey } from 'jose';
import { ProtocolError } from '../errors.js';
import { UpdateClaims } from '../schemas/socket.js';
import { validate } from '../validate.js';
import { fromJoseError } from './joseErrors.js';
import { SIGNING_ALG } from './keys.js';

const TYP = 'fedcl-update+jws';

/** Signs an update's claims with the site's enrolled key (JWS compact, ES256). */
export function signUpdateClaims(claims: UpdateClaims, siteKey: CryptoKey): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(claims))).setProtectedHeader({ alg: SIGNING_ALG, typ: TYP }).sign(siteKey);
}

/** Reads the claims without verifying: only to find which site's key to verify with. */
export function peekUpdateClaims(jws: string): unknown {
  try {
    if (decodeProtectedHeader(jws).typ !== TYP) return undefined;
    return JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Verifies the site's signature (typ, ES256) and returns the schema-checked claims. */
export async function verifyUpdateClaims(jws: string, sitePublicKey: CryptoKey): Promise<UpdateClaims> {
  let payload: Uint8Array;
  try {
    const r = await compactVerify(jws, sitePublicKey, { algorithms: [SIGNING_ALG] });
    if (r.protectedHeader.typ !== TYP) throw new ProtocolError('update.bad_signature', `update signature has typ '${r.protectedHeader.typ}', expected '${TYP}'`);
    payload = r.payload;
  } catch (err) {
    throw fromJoseError(err, 'update signature', { forged: 'update.bad_signature', invalid: 'update.bad_signature' });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    throw new ProtocolError('schema.invalid', 'update claims are not JSON', 'claims');
  }
  return validate(UpdateClaims, parsed, 'claims');
}
