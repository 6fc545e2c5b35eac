import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { CoordinatorKeys, Health, PROTOCOL_VERSION } from '@fedcl/protocol';
import type { CoordinatorContext } from '../context.js';

/** Unauthenticated: liveness and the coordinator's public keys. */
export async function publicRoutes(app: FastifyInstance, ctx: CoordinatorContext): Promise<void> {
  app.get('/health', { schema: { summary: 'Liveness and the current round', tags: ['public'], response: { 200: Health } } }, async () => {
    const r = ctx.store.latestRound();
    return { status: 'ok' as const, protocol: PROTOCOL_VERSION, federation: ctx.config.federation, round: r ? { round: r.round, status: r.status } : null };
  });
  app.get('/keys', { schema: { summary: "The coordinator's public signing and encryption keys", tags: ['public'], response: { 200: CoordinatorKeys } } }, async () => ({
    federation: ctx.config.federation,
    signingKey: ctx.keys.signingJwk,
    encryptionKey: ctx.keys.encryptionJwk,
  }));
}
