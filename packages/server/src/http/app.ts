import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import { PROTOCOL_VERSION } from '@fedcl/protocol';
import type { CoordinatorContext } from './context.js';
import { errorHandler } from './errors.js';
import { adminOnly, siteOrAdmin } from './guards.js';
import { adminRoutes } from './routes/admin.js';
import { enrolmentRoutes } from './routes/enrolment.js';
import { federationRoutes } from './routes/federation.js';
import { publicRoutes } from './routes/public.js';

/**
 * The REST API. Bodies are validated by the protocol's TypeBox schemas (extra properties are
 * refused, not stripped), bodies over limits.maxBodyBytes get 413, and the OpenAPI document is
 * generated from the same schemas at /openapi.json.
 */
export type ExtraRoutes = (app: FastifyInstance, ctx: CoordinatorContext, guards: { adminOnly: typeof adminOnly; siteOrAdmin: typeof siteOrAdmin }) => Promise<void>;

export async function buildApp(ctx: CoordinatorContext, extra?: ExtraRoutes): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: ctx.config.limits.maxBodyBytes,
    logger: false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  });
  app.setErrorHandler(errorHandler(ctx.store));
  await app.register(swagger, {
    openapi: {
      info: { title: 'fedcl coordinator', version: String(PROTOCOL_VERSION), description: 'Federated contrastive pretraining: enrolment, rounds, models. Sites exchange updates over socket.io (namespace /sites); see docs/protocol.md.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'site JWT (from /enrol or /token) or the admin token' } } },
    },
  });
  await app.register(async (scope) => {
    await publicRoutes(scope, ctx);
    await enrolmentRoutes(scope, ctx);
    await adminRoutes(scope, ctx);
    await federationRoutes(scope, ctx);
    if (extra) await extra(scope, ctx, { adminOnly, siteOrAdmin });
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
