import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { CoordinatorMetrics, ErrorBody, ModelSummary, ProtocolError, Round, SignedManifest, UpdateClaims, peekUpdateClaims, validate } from '@fedcl/protocol';
import type { CoordinatorContext } from '../context.js';
import { actorOf } from '../errors.js';
import { siteOrAdmin } from '../guards.js';
import type { RoundRow } from '../../store/store.js';

const security: { bearer: string[] }[] = [{ bearer: [] }];

/** Rounds, models (list, signed manifest, weights) and metrics: for sites (JWT) and the operator. */
export async function federationRoutes(app: FastifyInstance, ctx: CoordinatorContext): Promise<void> {
  const preHandler = siteOrAdmin(ctx);
  const roundView = (r: RoundRow) => ({
    ...r,
    accepted: ctx.store.acceptedUpdates(r.round).map((u) => {
      const c = validate(UpdateClaims, peekUpdateClaims(u.jws), 'claims');
      return { site: u.siteId, samples: u.samples, updateId: u.updateId, metrics: c.metrics };
    }),
  });
  const version = Type.Object({ version: Type.Integer({ minimum: 0 }) });
  const model = (v: number) => {
    const m = ctx.store.getModel(v);
    if (!m) throw new ProtocolError('round.unknown', `no model version ${v}`, 'params.version');
    return m;
  };

  app.get('/rounds', { preHandler, schema: { summary: 'All rounds', tags: ['federation'], security, response: { 200: Type.Array(Round), '4xx': ErrorBody } } }, async () => ctx.store.listRounds().map(roundView));

  app.get<{ Params: { round: number } }>(
    '/rounds/:round',
    { preHandler, schema: { summary: 'One round', tags: ['federation'], security, params: Type.Object({ round: Type.Integer({ minimum: 0 }) }), response: { 200: Round, '4xx': ErrorBody } } },
    async (req) => {
      const r = ctx.store.getRound(req.params.round);
      if (!r) throw new ProtocolError('round.unknown', `no round ${req.params.round}`, 'params.round');
      return roundView(r);
    },
  );

  app.get('/models', { preHandler, schema: { summary: 'Model versions', tags: ['models'], security, response: { 200: Type.Array(ModelSummary), '4xx': ErrorBody } } }, async () =>
    ctx.store.listModels().map((m) => ({ version: m.version, round: m.round, sha256: m.sha256, bytes: m.bytes, createdAt: m.createdAt, parents: m.manifest.parents, samples: m.manifest.samples, sites: m.manifest.sites.length })),
  );

  app.get<{ Params: { version: number } }>(
    '/models/:version/manifest',
    { preHandler, schema: { summary: 'Signed manifest (JWS) of a model version', tags: ['models'], security, params: version, response: { 200: SignedManifest, '4xx': ErrorBody } } },
    async (req) => {
      const m = model(req.params.version);
      return { jws: m.jws, manifest: m.manifest };
    },
  );

  app.get<{ Params: { version: number } }>(
    '/models/:version/weights',
    { preHandler, schema: { summary: 'Weights of a model version (FCLW fp32; check against the manifest sha256)', tags: ['models'], security, params: version } },
    async (req, reply) => {
      const m = model(req.params.version);
      const bytes = ctx.controller.modelBytes(m.version)!;
      ctx.store.audit({ actor: actorOf(req), action: 'model.download', outcome: 'ok', detail: { version: m.version, format: 'fclw', bytes: bytes.length } });
      return reply.header('content-type', 'application/octet-stream').header('x-fedcl-sha256', m.sha256).send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    },
  );

  app.get('/metrics', { preHandler, schema: { summary: 'Coordinator counters', tags: ['federation'], security, response: { 200: CoordinatorMetrics, '4xx': ErrorBody } } }, async () => ({
    rounds: ctx.store.countRoundsByStatus(),
    sitesEnrolled: ctx.store.listSites().length,
    sitesConnected: ctx.sites.connectedSites().length,
    updatesAccepted: ctx.store.countAccepted(),
    updatesRefused: ctx.store.countAudit('refused', 'update.'),
    bytesReceived: ctx.controller.counters.bytesReceived,
    bytesSent: ctx.controller.counters.bytesSent,
    aggregateSeconds: ctx.controller.counters.aggregateSeconds,
    latestVersion: ctx.store.latestModel()?.version ?? null,
  }));
}
