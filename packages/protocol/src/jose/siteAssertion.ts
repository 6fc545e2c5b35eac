import './base64Polyfill.js';
import { randomBytes } from 'node:crypto';
import { decodeJwt, jwtVerify, SignJWT, type CryptoKey } from 'jose';
import { ProtocolError } from '../errors.js';
import { fromJoseError } from './joseErrors.js';
import { SIGNING_ALG } from './keys.js';

const TYP = 'fedcl-assertion+jwt';

/**
 * A site proves possession of its enrolled key to get a fresh JWT (RFC 7523 style): a JWT signed by
 * the site key, iss = sub = site id, aud = the coordinator's token endpoint, valid ≤ 5 minutes.
 * It works after the access token expired; a revoked site is refused by the coordinator.
 */
export async function createSiteAssertion(siteKey: CryptoKey, o: { siteId: string; audience: string; ttlSeconds?: number; now?: number }): Promise<string> {
  const now = o.now ?? Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: SIGNING_ALG, typ: TYP })
    .setIssuer(o.siteId)
    .setSubject(o.siteId)
    .setAudience(o.audience)
    .setJti(randomBytes(16).toString('base64url'))
    .setIssuedAt(now)
    .setExpirationTime(now + (o.ttlSeconds ?? 120))
    .sign(siteKey);
}

/** The claimed site id, read before verification to find the key to verify with. */
export function assertionSiteId(assertion: string): string {
  try {
    const sub = decodeJwt(assertion).sub;
    if (typeof sub === 'string') return sub;
  } catch {
    // reported below
  }
  throw new ProtocolError('token.invalid', "assertion is not a JWT with a 'sub' (site id)", 'assertion');
}

/** Verifies an assertion with the site's enrolled public key. Returns its jti and expiry (for replay checks). */
export async function verifySiteAssertion(assertion: string, sitePublicKey: CryptoKey, o: { siteId: string; audience: string; now?: number }): Promise<{ jti: string; expiresAt: number }> {
  try {
    const { payload } = await jwtVerify(assertion, sitePublicKey, {
      algorithms: [SIGNING_ALG],
      typ: TYP,
      issuer: o.siteId,
      subject: o.siteId,
      audience: o.audience,
      maxTokenAge: 300,
      requiredClaims: ['jti', 'exp', 'iat'],
      ...(o.now === undefined ? {} : { currentDate: new Date(o.now * 1000) }),
    });
    if ((payload.exp as number) - (payload.iat as number) > 300) throw new ProtocolError('token.invalid', 'assertion lifetime exceeds 5 minutes', 'exp');
    return { jti: payload.jti!, expiresAt: payload.exp! };
  } catch (err) {
    throw fromJoseError(err, 'site assertion', { forged: 'token.forged', expired: 'token.expired', invalid: 'token.invalid' });
  }
}
