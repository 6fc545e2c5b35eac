import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { decodeWeights, DEFAULT_WEIGHT_LIMITS, Id, ProtocolError } from '@fedcl/protocol';
import type { FederationConfig } from '../config.js';
import { SESSION_COOKIE, OperatorSessions, passwordMatches, readCookie } from './operatorAuth.js';
import { APP_HTML, CONTENT_SECURITY_POLICY, SIGN_IN_HTML, type ConsoleBundle } from './consoleAssets.js';
import { metricSeries, modelsView, roundsView, sitesView, type ConsoleSources } from './consoleViews.js';
import { tarArchive, toSafetensors, toTfjsWeights } from './modelExport.js';
import { refuseWhenLimited, type FailureLimiter } from '../http/failureLimiter.js';

export interface ConsoleRouteDeps extends ConsoleSources {
  config: FederationConfig;
  password: string;
  sessions: OperatorSessions;
  limiter: FailureLimiter;
  bundle: () => Promise<ConsoleBundle>;
}

/** Round settings an operator may set from the console: the config's schema with upper bounds. */
export const RoundSettings = Type.Object(
  {
    total: Type.Integer({ minimum: 0, maximum: 100000, description: 'rounds to run; 0 = until stopped' }),
    minSites: Type.Integer({ minimum: 1, maximum: 10000 }),
    fraction: Type.Number({ exclusiveMinimum: 0, maximum: 1 }),
    quorumFraction: Type.Number({ exclusiveMinimum: 0, maximum: 1 }),
    minUpdates: Type.Integer({ minimum: 1, maximum: 10000 }),
    deadlineSeconds: Type.Number({ minimum: 5, maximum: 7 * 86400 }),
    stragglers: Type.Union([Type.Literal('close-at-quorum'), Type.Literal('wait-for-deadline')]),
  },
  { additionalProperties: false },
);

const AuditFilter = Type.Object(
  {
    action: Type.Optional(Type.String({ maxLength: 64 })),
    actor: Type.Optional(Type.String({ maxLength: 128 })),
    outcome: Type.Optional(Type.Union([Type.Literal('ok'), Type.Literal('refused')])),
    text: Type.Optional(Type.String({ maxLength: 128 })),
    before: Type.Optional(Type.Integer({ minimum: 1 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);

const OPERATOR = 'operator';
type Req = FastifyRequest & { principal?: string };

/**
 * The console under /console: a sign-in page and its assets are public; the app page, its bundle
 * and every /console/api route need the operator session cookie.
 */
export async function consoleRoutes(app: FastifyInstance, d: ConsoleRouteDeps): Promise<void> {
  const { store, controller } = d;
  const session = async (req: FastifyRequest) => d.sessions.verify(readCookie(req.headers.cookie, SESSION_COOKIE));
  const operatorOnly = async (req: FastifyRequest): Promise<void> => {
    if (!(await session(req))) throw new ProtocolError('token.missing', 'sign in to the console first (POST /console/api/signin)');
    (req as Req).principal = OPERATOR;
  };
  const secure = (reply: FastifyReply): FastifyReply =>
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY).header('x-content-type-options', 'nosniff').header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
  const state = () => ({
    federation: d.config.federation,
    paused: controller.paused,
    settings: { ...d.config.rounds },
    round: controller.current() ?? null,
    connectedSites: d.sites.connectedSites(),
    latestVersion: store.latestModel()?.version ?? null,
    counters: { ...controller.counters },
    serverTime: new Date().toISOString(),
  });

  // ── pages and assets ────────────────────────────────────────────────
  app.get('/console', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/console/'));
  app.get('/console/', { schema: { hide: true } }, async (req, reply) => {
    if (!(await session(req))) return reply.redirect('/console/signin');
    return secure(reply).type('text/html; charset=utf-8').send(APP_HTML);
  });
  app.get('/console/signin', { schema: { hide: true } }, async (_req, reply) => secure(reply).type('text/html; charset=utf-8').send(SIGN_IN_HTML));
  app.get('/console/assets/console.css', { schema: { hide: true } }, async (_req, reply) => secure(reply).type('text/css; charset=utf-8').send((await d.bundle()).css));
  app.get('/console/assets/signin.js', { schema: { hide: true } }, async (_req, reply) => secure(reply).type('text/javascript; charset=utf-8').send((await d.bundle()).scripts.get('signin.js')));
  app.get('/console/assets/app.js', { schema: { hide: true }, preHandler: operatorOnly }, async (_req, reply) => secure(reply).type('text/javascript; charset=utf-8').send((await d.bundle()).scripts.get('app.js')));

  // ── session ───────────────────────────────────────────────────────────
  app.post<{ Body: { password: string } }>(
    '/console/api/signin',
    { schema: { hide: true, body: Type.Object({ password: Type.String({ maxLength: 1024 }) }, { additionalProperties: false }) } },
    async (req, reply) => {
      if (refuseWhenLimited(d.limiter, req, reply, store, { action: 'console.signin', code: 'console.rate_limited', message: (s) => `too many wrong passwords from this address: try again in ${s} s` })) return reply;
      if (!passwordMatches(req.body.password, d.password)) {
        d.limiter.fail(req.ip);
        store.audit({ actor: `ip:${req.ip}`, action: 'console.signin', outcome: 'refused', code: 'console.password', detail: { message: 'wrong operator password' } });
        return reply.status(401).send({ code: 'console.password', message: 'wrong operator password' });
      }
      d.limiter.succeed(req.ip);
      const s = await d.sessions.issue();
      store.audit({ actor: OPERATOR, action: 'console.signin', outcome: 'ok', detail: { ip: req.ip, session: s.jti } });
      return reply.header('set-cookie', d.sessions.cookie(s.token)).send({ expiresAt: s.expiresAt });
    },
  );
  app.post('/console/api/signout', { schema: { hide: true } }, async (req, reply) => {
    const s = await session(req);
    if (s) {
      d.sessions.signOut(s.jti);
      store.audit({ actor: OPERATOR, action: 'console.signout', outcome: 'ok', detail: { session: s.jti } });
    }
    return reply.header('set-cookie', OperatorSessions.clearCookie()).send({ signedOut: true });
  });

  // ── reads ─────────────────────────────────────────────────────────────
  const preHandler = operatorOnly;
  app.get('/console/api/state', { preHandler, schema: { hide: true } }, async () => state());
  app.get('/console/api/sites', { preHandler, schema: { hide: true } }, async () => ({ sites: sitesView(d), enrolmentTokens: store.listEnrolmentTokens() }));
  app.get('/console/api/rounds', { preHandler, schema: { hide: true } }, async () => roundsView(d).reverse());
  app.get('/console/api/metrics', { preHandler, schema: { hide: true } }, async () => metricSeries(store.listModels()));
  app.get('/console/api/models', { preHandler, schema: { hide: true } }, async () => modelsView(store.listModels()));
  app.get<{ Querystring: Static<typeof AuditFilter> }>('/console/api/audit', { preHandler, schema: { hide: true, querystring: AuditFilter } }, async (req) => store.searchAudit(req.query));

  app.get<{ Params: { version: number }; Querystring: { format: 'safetensors' | 'tfjs' | 'fclw' } }>(
    '/console/api/models/:version/download',
    {
      preHandler,
      schema: {
        hide: true,
        params: Type.Object({ version: Type.Integer({ minimum: 0 }) }),
        querystring: Type.Object({ format: Type.Union([Type.Literal('safetensors'), Type.Literal('tfjs'), Type.Literal('fclw')]) }, { additionalProperties: false }),
      },
    },
    async (req, reply) => {
      const m = store.getModel(req.params.version);
      if (!m) throw new ProtocolError('round.unknown', `no model version ${req.params.version}`, 'params.version');
      const fclw = store.blobs.get(m.sha256);
      const meta = { federation: m.manifest.federation, version: String(m.version), round: String(m.round), sha256: m.sha256, configHash: m.manifest.configHash, format: 'fedcl' };
      const base = `${d.config.federation}-v${m.version}`;
      let body: Uint8Array;
      let file: string;
      const format = req.query.format;
      if (format === 'fclw') [body, file] = [fclw, `${base}.fclw`];
      else {
        const tensors = decodeWeights(fclw, { ...DEFAULT_WEIGHT_LIMITS, maxBytes: Number.MAX_SAFE_INTEGER, maxTensors: 1 << 20 });
        if (format === 'safetensors') [body, file] = [toSafetensors(tensors, meta), `${base}.safetensors`];
        else {
          const t = toTfjsWeights(tensors, meta);
          [body, file] = [tarArchive([{ name: 'model.json', data: Buffer.from(t.modelJson) }, { name: 'weights.bin', data: t.weightsBin }, { name: 'manifest.jws', data: Buffer.from(m.jws) }]), `${base}-tfjs.tar`];
        }
      }
      store.audit({ actor: OPERATOR, action: 'model.download', outcome: 'ok', detail: { version: m.version, format, bytes: body.length } });
      return reply
        .header('content-type', 'application/octet-stream')
        .header('content-disposition', `attachment; filename="${file}"`)
        .header('x-fedcl-model-sha256', m.sha256)
        .send(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
    },
  );

  // ── actions ───────────────────────────────────────────────────────────
  app.post('/console/api/federation/pause', { preHandler, schema: { hide: true } }, async () => (await controller.pause(OPERATOR), state()));
  app.post('/console/api/federation/start', { preHandler, schema: { hide: true } }, async () => (await controller.resume(OPERATOR), state()));
  app.put<{ Body: Static<typeof RoundSettings> }>('/console/api/settings/rounds', { preHandler, schema: { hide: true, body: RoundSettings } }, async (req) => {
    if (req.body.minUpdates > req.body.minSites) {
      throw new ProtocolError('schema.invalid', `body.minUpdates: ${req.body.minUpdates} cannot exceed minSites (${req.body.minSites})`, 'body.minUpdates');
    }
    await controller.setRoundSettings(req.body, OPERATOR);
    return state();
  });
  app.post<{ Params: { id: string }; Body: { reason?: string } }>(
    '/console/api/sites/:id/revoke',
    { preHandler, schema: { hide: true, params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) }), body: Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }) } },
    async (req) => {
      if (!store.getSite(req.params.id)) throw new ProtocolError('site.unknown', `no site '${req.params.id}'`, 'params.id');
      const reason = req.body.reason || 'revoked from the console';
      store.revokeSite(req.params.id, reason);
      d.sites.disconnect(req.params.id);
      store.audit({ actor: OPERATOR, action: 'site.revoke', outcome: 'ok', detail: { site: req.params.id, reason } });
      return sitesView(d).find((s) => s.id === req.params.id);
    },
  );
  app.post<{ Body: { name?: string; ttlSeconds: number } }>(
    '/console/api/enrolment-tokens',
    {
      preHandler,
      schema: {
        hide: true,
        body: Type.Object({ name: Type.Optional(Id), ttlSeconds: Type.Integer({ minimum: 60, maximum: 30 * 86400 }) }, { additionalProperties: false }),
      },
    },
    async (req) => {
      const t = store.createEnrolmentToken(req.body.name, req.body.ttlSeconds);
      store.audit({ actor: OPERATOR, action: 'enrolment-token.create', outcome: 'ok', detail: { name: req.body.name ?? null, expiresAt: t.expiresAt } });
      return t;
    },
  );
  app.post<{ Params: { id: string } }>('/console/api/enrolment-tokens/:id/expire', { preHandler, schema: { hide: true, params: Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{12}$' }) }) } }, async (req) => {
    if (!store.expireEnrolmentToken(req.params.id)) throw new ProtocolError('enrolment.invalid_token', `no unused enrolment token ${req.params.id}`, 'params.id');
    store.audit({ actor: OPERATOR, action: 'enrolment-token.expire', outcome: 'ok', detail: { id: req.params.id } });
    return { expired: true };
  });
}
