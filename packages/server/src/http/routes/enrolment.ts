import type {} from '@fastify/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  AccessToken,
  assertionSiteId,
  EnrolRequest,
  EnrolResponse,
  ErrorBody,
  importSigningPublicKey,
  issueSiteToken,
  jwkThumbprint,
  ProtocolError,
  SITES_NAMESPACE,
  TokenRequest,
  verifySiteAssertion,
} from '@fedcl/protocol';
import { identities } from '../../auth.js';
import { FailureLimiter, refuseWhenLimited } from '../failureLimiter.js';
import type { CoordinatorContext } from '../context.js';

/** Enrolment (one-time token → site key registered → JWT) and token refresh (site-key assertion → JWT). */
export async function enrolmentRoutes(app: FastifyInstance, ctx: CoordinatorContext): Promise<void> {
  const { issuer, audience, tokenAudience } = identities(ctx.config.federation);
  const issue = async (siteId: string, jkt: string) => {
    const t = await issueSiteToken(ctx.keys.signing.privateKey, { issuer, audience, siteId, keyThumbprint: jkt, ttlSeconds: ctx.config.tokens.ttlSeconds });
    ctx.store.recordIssuedToken(t.jti, siteId, Math.floor(Date.now() / 1000), t.expiresAt);
    return t;
  };

  // Guessing enrolment tokens or replaying assertions: after `authFailures` refusals from one
  // address within the window, that address is refused (429) until the oldest leaves it. The
  // refused request changes nothing (no token redeemed, no assertion used) and is audited.
  const limiter = new FailureLimiter(ctx.config.limits.authFailures, ctx.config.limits.authWindowSeconds * 1000);
  const limited = <B>(action: string, handler: (req: FastifyRequest<{ Body: B }>) => Promise<unknown>) =>
    async (req: FastifyRequest<{ Body: B }>, reply: FastifyReply): Promise<unknown> => {
      if (refuseWhenLimited(limiter, req, reply, ctx.store, { action, code: 'request.rate_limited', message: (s) => `too many refused requests from this address: try again in ${s} s` })) return reply;
      try {
        return await handler(req);
      } catch (err) {
        if (err instanceof ProtocolError && err.code !== 'internal') limiter.fail(req.ip);
        throw err;
      }
    };

  app.post<{ Body: EnrolRequest }>(
    '/enrol',
    { schema: { summary: 'Redeem a one-time enrolment token and register the site public key', tags: ['sites'], body: EnrolRequest, response: { 200: EnrolResponse, '4xx': ErrorBody } } },
    limited<EnrolRequest>('site.enrol', async (req) => {
      const { token, name, publicKey } = req.body;
      await importSigningPublicKey(publicKey, 'body.publicKey');
      const jkt = await jwkThumbprint(publicKey);
      const site = ctx.store.enrol(token, name, { kty: publicKey.kty, crv: publicKey.crv, x: publicKey.x, y: publicKey.y }, jkt);
      const t = await issue(site.id, jkt);
      ctx.store.audit({ actor: `site:${site.id}`, action: 'site.enrol', outcome: 'ok', detail: { keyThumbprint: jkt, jti: t.jti } });
      return {
        siteId: site.id,
        accessToken: t.token,
        expiresAt: t.expiresAt,
        coordinator: { federation: ctx.config.federation, signingKey: ctx.keys.signingJwk, encryptionKey: ctx.keys.encryptionJwk },
        namespace: SITES_NAMESPACE,
      };
    }),
  );

  app.post<{ Body: TokenRequest }>(
    '/token',
    { schema: { summary: 'Exchange an assertion signed by the site key for a fresh JWT', tags: ['sites'], body: TokenRequest, response: { 200: AccessToken, '4xx': ErrorBody } } },
    limited<TokenRequest>('token.refresh', async (req) => {
      const siteId = assertionSiteId(req.body.assertion);
      const site = ctx.store.getSite(siteId);
      if (!site) throw new ProtocolError('site.unknown', `site '${siteId}' is not enrolled`);
      if (site.revokedAt) throw new ProtocolError('site.revoked', `site '${siteId}' was revoked at ${site.revokedAt}: ${site.revokedReason ?? ''}`);
      const a = await verifySiteAssertion(req.body.assertion, await importSigningPublicKey(site.publicJwk), { siteId, audience: tokenAudience });
      if (!ctx.store.useAssertion(a.jti, a.expiresAt)) throw new ProtocolError('token.invalid', `assertion ${a.jti} was already used: sign a fresh one`, 'assertion');
      const t = await issue(siteId, site.jkt);
      ctx.store.audit({ actor: `site:${siteId}`, action: 'token.refresh', outcome: 'ok', detail: { jti: t.jti } });
      return { accessToken: t.token, expiresAt: t.expiresAt };
    }),
  );
}
