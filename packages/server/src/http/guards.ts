import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ProtocolError } from '@fedcl/protocol';
import { authenticateSite, bearer, requireToken } from '../auth.js';
import type { CoordinatorContext } from './context.js';

function isAdmin(ctx: CoordinatorContext, token: string): boolean {
  const want = ctx.config.adminToken;
  if (!want) return false;
  // Compare digests: equal length, constant time.
  const a = createHash('sha256').update(token).digest();
  const b = createHash('sha256').update(want).digest();
  return timingSafeEqual(a, b);
}

/** preHandler: the admin token only. */
export function adminOnly(ctx: CoordinatorContext) {
  return async (req: FastifyRequest): Promise<void> => {
    const token = requireToken(bearer(req.headers.authorization));
    if (!ctx.config.adminToken) throw new ProtocolError('token.invalid', 'admin routes are disabled: set adminToken in the federation config');
    if (!isAdmin(ctx, token)) throw new ProtocolError('token.invalid', 'the bearer token is not the admin token');
    (req as FastifyRequest & { principal?: string }).principal = 'admin';
  };
}

/** preHandler: a valid site JWT or the admin token. */
export function siteOrAdmin(ctx: CoordinatorContext) {
  return async (req: FastifyRequest): Promise<void> => {
    const token = requireToken(bearer(req.headers.authorization));
    if (isAdmin(ctx, token)) {
      (req as FastifyRequest & { principal?: string }).principal = 'admin';
      return;
    }
    const claims = await authenticateSite(token, ctx.keys, ctx.store, ctx.config.federation);
    (req as FastifyRequest & { principal?: string }).principal = `site:${claims.siteId}`;
  };
}
