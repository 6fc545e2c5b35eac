import './base64Polyfill.js';
import { randomBytes } from 'node:crypto';
import { jwtVerify, SignJWT, type CryptoKey } from 'jose';
import { ProtocolError } from '../errors.js';
import { fromJoseError } from './joseErrors.js';
import { SIGNING_ALG } from './keys.js';

const TYP = 'fedcl-site+jwt';

export interface SiteTokenClaims {
  siteId: string;
  jti: string;
  /** seconds since the epoch */
  issuedAt: number;
  expiresAt: number;
  /** thumbprint of the site's enrolled key (`cnf.jkt`) */
  keyThumbprint: string;
}

export interface IssueSiteTokenOptions {
  issuer: string;
  audience: string;
  siteId: string;
  keyThumbprint: string;
  ttlSeconds: number;
  /** seconds since the epoch; default now */
  now?: number;
}

/** A short-lived ES256 JWT naming the site (`sub`), bound to its key (`cnf.jkt`), revocable by `jti`. */
export async function issueSiteToken(signingKey: CryptoKey, o: IssueSiteTokenOptions): Promise<{ token: string; jti: string; expiresAt: number }> {
  const now = o.now ?? Math.floor(Date.now() / 1000);
  const jti = randomBytes(16).toString('base64url');
  const expiresAt = now + o.ttlSeconds;
  const token = await new SignJWT({ cnf: { jkt: o.keyThumbprint } })
    .setProtectedHeader({ alg: SIGNING_ALG, typ: TYP })
    .setIssuer(o.issuer)
    .setAudience(o.audience)
    .setSubject(o.siteId)
    .setJti(jti)
    .setIssuedAt(now)
    .setExpirationTime(expiresAt)
    .sign(signingKey);
  return { token, jti, expiresAt };
}

export interface VerifySiteTokenOptions {
  issuer: string;
  audience: string;
  /** Returns a reason when the token or its site is revoked. */
  isRevoked: (claims: SiteTokenClaims) => string | undefined;
  /** seconds since the epoch; default now */
  now?: number;
}

/**
 * Verifies a site JWT: signature (coordinator key, ES256 only), typ, iss, aud, exp, then the
 * revocation list. Throws ProtocolError token.forged | token.expired | token.revoked | token.invalid.
 */
export async function verifySiteToken(token: unknown, publicKey: CryptoKey, o: VerifySiteTokenOptions): Promise<SiteTokenClaims> {
  if (typeof token !== 'string' || token.length === 0) throw new ProtocolError('token.missing', 'no site token: pass the JWT from enrolment (auth.token or Authorization: Bearer)');
  let payload;
  try {
    ({ payload } = await jwtVerify(token, publicKey, {
      algorithms: [SIGNING_ALG],
      typ: TYP,
      issuer: o.issuer,
      audience: o.audience,
      requiredClaims: ['sub', 'jti', 'exp', 'iat'],
      ...(o.now === undefined ? {} : { currentDate: new Date(o.now * 1000) }),
    }));
  } catch (err) {
    throw fromJoseError(err, 'site token', { forged: 'token.forged', expired: 'token.expired', invalid: 'token.invalid' });
  }
  const jkt = (payload.cnf as { jkt?: unknown } | undefined)?.jkt;
  if (typeof jkt !== 'string') throw new ProtocolError('token.invalid', "site token has no 'cnf.jkt' key binding", 'cnf');
  const claims: SiteTokenClaims = { siteId: payload.sub!, jti: payload.jti!, issuedAt: payload.iat!, expiresAt: payload.exp!, keyThumbprint: jkt };
  const reason = o.isRevoked(claims);
  if (reason) throw new ProtocolError('token.revoked', `site token ${claims.jti} for site '${claims.siteId}' is revoked: ${reason}`);
  return claims;
}
