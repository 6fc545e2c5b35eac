import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { AuditEntry, AuditQuery, CreateEnrolmentToken, EnrolmentToken, ErrorBody, Id, ProtocolError, RevokeRequest, RevokeTokenRequest, Site } from '@fedcl/protocol';
import type { Static } from '@sinclair/typebox';
import type { CoordinatorContext } from '../context.js';
import { adminOnly } from '../guards.js';
import type { SiteRow } from '../../store/store.js';

const security: { bearer: string[] }[] = [{ bearer: [] }];

/** Operator routes (admin token): enrolment tokens, sites, revocation, audit log. */
export async function adminRoutes(app: FastifyInstance, ctx: CoordinatorContext): Promise<void> {
  const preHandler = adminOnly(ctx);
  const siteView = (s: SiteRow) => ({
    id: s.id, name: s.id, keyThumbprint: s.jkt, enrolledAt: s.enrolledAt, revokedAt: s.revokedAt, lastSeenAt: s.lastSeenAt,
    connected: ctx.sites.connectedSites().includes(s.id),
  });

  app.post<{ Body: Static<typeof CreateEnrolmentToken> }>(
    '/admin/enrolment-tokens',
    { preHandler, schema: { summary: 'Create a one-time enrolment token', tags: ['admin'], security, body: CreateEnrolmentToken, response: { 200: EnrolmentToken, '4xx': ErrorBody } } },
    async (req) => {
      const t = ctx.store.createEnrolmentToken(req.body.name, req.body.ttlSeconds ?? 86400);
      ctx.store.audit({ actor: 'admin', action: 'enrolment-token.create', outcome: 'ok', detail: { name: req.body.name ?? null, expiresAt: t.expiresAt } });
      return t;
    },
  );

  app.get('/sites', { preHandler, schema: { summary: 'Enrolled sites', tags: ['admin'], security, response: { 200: Type.Array(Site), '4xx': ErrorBody } } }, async () => ctx.store.listSites().map(siteView));

  app.post<{ Params: { id: string }; Body: Static<typeof RevokeRequest> }>(
    '/sites/:id/revoke',
    { preHandler, schema: { summary: 'Revoke a site: its tokens stop working, its connections are refused', tags: ['admin'], security, params: Type.Object({ id: Id }), body: RevokeRequest, response: { 200: Site, '4xx': ErrorBody } } },
    async (req) => {
      if (!ctx.store.getSite(req.params.id)) throw new ProtocolError('site.unknown', `no site '${req.params.id}'`, 'params.id');
      const reason = req.body.reason ?? 'revoked by the operator';
      ctx.store.revokeSite(req.params.id, reason);
      ctx.sites.disconnect(req.params.id);
      ctx.store.audit({ actor: 'admin', action: 'site.revoke', outcome: 'ok', detail: { site: req.params.id, reason } });
      return siteView(ctx.store.getSite(req.params.id)!);
    },
  );

  app.post<{ Body: Static<typeof RevokeTokenRequest> }>(
    '/tokens/revoke',
    { preHandler, schema: { summary: 'Revoke one site JWT by its jti', tags: ['admin'], security, body: RevokeTokenRequest, response: { 200: Type.Object({ jti: Type.String(), revoked: Type.Boolean() }), '4xx': ErrorBody } } },
    async (req) => {
      const reason = req.body.reason ?? 'revoked by the operator';
      const revoked = ctx.store.revokeToken(req.body.jti, reason);
      ctx.store.audit({ actor: 'admin', action: 'token.revoke', outcome: 'ok', detail: { jti: req.body.jti, reason } });
      return { jti: req.body.jti, revoked };
    },
  );

  app.get<{ Querystring: Static<typeof AuditQuery> }>(
    '/audit',
    { preHandler, schema: { summary: 'The audit log (every accepted and refused action)', tags: ['admin'], security, querystring: AuditQuery, response: { 200: Type.Array(AuditEntry), '4xx': ErrorBody } } },
    async (req) => ctx.store.listAudit(req.query),
  );
}
