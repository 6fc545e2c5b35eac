import { ProtocolError, verifySiteToken, type SiteTokenClaims } from '@fedcl/protocol';
import type { CoordinatorKeyring } from './keys.js';
import type { Store } from './store/store.js';

/** JWT issuer and audiences of one federation. */
export function identities(federation: string): { issuer: string; audience: string; tokenAudience: string } {
  return { issuer: `fedcl:${federation}`, audience: `fedcl:${federation}/sites`, tokenAudience: `fedcl:${federation}/token` };
}

/**
 * Verifies a site JWT against the coordinator key, then the revocation list: the token's jti, the
 * site itself, and the key binding (a token for a key the site no longer holds is refused).
 */
export async function authenticateSite(token: unknown, keys: CoordinatorKeyring, store: Store, federation: string): Promise<SiteTokenClaims> {
  const { issuer, audience } = identities(federation);
  return verifySiteToken(token, keys.signing.publicKey, {
    issuer,
    audience,
    isRevoked: (c) => {
      const byJti = store.tokenRevocation(c.jti);
      if (byJti) return byJti;
      const site = store.getSite(c.siteId);
      if (!site) return 'the site is not enrolled here';
      if (site.revokedAt) return `site revoked at ${site.revokedAt}: ${site.revokedReason ?? 'no reason given'}`;
      if (site.jkt !== c.keyThumbprint) return 'the token is bound to another key than the one enrolled';
      return undefined;
    },
  });
}

/** Reads `Bearer <token>` from an Authorization header. */
export function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return m?.[1];
}

export function requireToken(token: string | undefined): string {
  if (!token) throw new ProtocolError('token.missing', 'this route needs Authorization: Bearer <site JWT or admin token>');
  return token;
}
