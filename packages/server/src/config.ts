import { createHash } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { FederatedPolicy, validate, WeightDtype, UpdateKind, type RoundConfig } from '@fedcl/protocol';
import type { ServerOptimizerConfig } from './aggregate/serverOptimizer.js';

const Aggregator = Type.Union([
  Type.Object({ name: Type.Literal('fedavg'), serverLr: Type.Number({ exclusiveMinimum: 0, default: 1 }) }, { additionalProperties: false }),
  Type.Object(
    { name: Type.Literal('fedavgm'), serverLr: Type.Number({ exclusiveMinimum: 0, default: 1 }), momentum: Type.Number({ minimum: 0, maximum: 1, default: 0.9 }) },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      name: Type.Literal('fedadam'),
      serverLr: Type.Number({ exclusiveMinimum: 0, default: 0.01 }),
      beta1: Type.Number({ minimum: 0, maximum: 1, default: 0.9 }),
      beta2: Type.Number({ minimum: 0, maximum: 1, default: 0.99 }),
      tau: Type.Number({ exclusiveMinimum: 0, default: 1e-3 }),
    },
    { additionalProperties: false },
  ),
]);

/**
 * A coordinator's configuration (configs/federation.yaml). Every field has a default except where
 * a federation must decide (none today): `{}` is a valid loopback test configuration.
 */
export const FederationConfig = Type.Object(
  {
    federation: Type.String({ minLength: 1, maxLength: 128, default: 'fedcl', description: 'name; also the JWT issuer prefix' }),
    listen: Type.Object(
      { host: Type.String({ default: '127.0.0.1' }), port: Type.Integer({ minimum: 0, maximum: 65535, default: 8470, description: '0 = ephemeral' }) },
      { default: {}, additionalProperties: false },
    ),
    store: Type.String({ default: './runs/coordinator', description: 'directory for fedcl.db, keys, model blobs and uploads' }),
    adminToken: Type.Optional(Type.String({ minLength: 24, description: 'bearer token for admin REST routes; absent = admin routes disabled' })),
    console: Type.Object(
      {
        password: Type.Optional(Type.String({ minLength: 12, description: 'operator password for the web console (env FEDCL_CONSOLE_PASSWORD wins); absent = one is generated into <store>/console-password' })),
        sessionSeconds: Type.Integer({ minimum: 60, maximum: 7 * 86400, default: 8 * 3600, description: 'how long a console sign-in lasts' }),
      },
      { default: {}, additionalProperties: false },
    ),
    tokens: Type.Object({ ttlSeconds: Type.Integer({ minimum: 30, maximum: 86400, default: 900 }) }, { default: {}, additionalProperties: false }),
    model: Type.Object(
      {
        initial: Type.Optional(Type.String({ description: 'fedcl weight file (FCLW) for version 0, used when the store has no model' })),
        policy: Type.Object(
          { prefix: Type.String({ default: 'encoder/' }), exclude: Type.Array(Type.String(), { default: [] }) },
          { default: {}, additionalProperties: false },
        ),
      },
      { default: {}, additionalProperties: false },
    ),
    rounds: Type.Object(
      {
        total: Type.Integer({ minimum: 0, default: 10, description: 'rounds to run; 0 = until stopped' }),
        minSites: Type.Integer({ minimum: 1, default: 2, description: 'connected sites needed to open a round' }),
        fraction: Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 1, description: 'fraction of connected sites selected (at least minSites)' }),
        quorumFraction: Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 1, description: 'accepted fraction of the selected sites that closes a round early' }),
        minUpdates: Type.Integer({ minimum: 1, default: 1, description: 'accepted updates needed to aggregate at the deadline' }),
        deadlineSeconds: Type.Number({ exclusiveMinimum: 0, default: 1800 }),
        stragglers: Type.Union([Type.Literal('close-at-quorum'), Type.Literal('wait-for-deadline')], { default: 'close-at-quorum' }),
      },
      { default: {}, additionalProperties: false },
    ),
    update: Type.Object({ kind: UpdateKind, dtype: WeightDtype }, { default: { kind: 'delta', dtype: 'fp32' }, additionalProperties: false }),
    proximalMu: Type.Number({ minimum: 0, default: 0, description: 'FedProx μ, applied by the sites' }),
    training: Type.Record(Type.String(), Type.Union([Type.Number(), Type.String(), Type.Boolean()]), { default: {}, description: "passed to the sites' trainer" }),
    aggregator: Type.Union([Aggregator], { default: { name: 'fedavg', serverLr: 1 } }),
    limits: Type.Object(
      {
        maxUpdateBytes: Type.Integer({ minimum: 1024, default: 512 * 1024 * 1024 }),
        maxTensors: Type.Integer({ minimum: 1, default: 4096 }),
        maxBodyBytes: Type.Integer({ minimum: 1024, default: 256 * 1024, description: 'JSON REST bodies' }),
        authFailures: Type.Integer({ minimum: 1, default: 10, description: 'failed /enrol or /token requests per client address within authWindowSeconds before further ones are refused (429)' }),
        authWindowSeconds: Type.Number({ exclusiveMinimum: 0, default: 60 }),
      },
      { default: {}, additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type FederationConfig = Static<typeof FederationConfig>;

/** Fills defaults and validates; throws ProtocolError naming the offending field (`config.rounds.minSites`). */
export function parseFederationConfig(raw: unknown): FederationConfig {
  const withDefaults = Value.Default(FederationConfig, structuredClone(raw ?? {}));
  // Defaults inside the aggregator union are not filled by Value.Default: fill them per variant.
  const agg = (withDefaults as { aggregator?: { name?: string } }).aggregator;
  if (agg && typeof agg === 'object') {
    const variant = Aggregator.anyOf.find((v) => v.properties.name.const === agg.name);
    if (variant) (withDefaults as { aggregator: unknown }).aggregator = Value.Default(variant, agg);
  }
  const config = validate(FederationConfig, withDefaults, 'config');
  if (config.rounds.minUpdates > config.rounds.minSites) {
    throw new RangeError(`config.rounds.minUpdates (${config.rounds.minUpdates}) cannot exceed config.rounds.minSites (${config.rounds.minSites})`);
  }
  return config;
}

/** What the sites are told to do each round. */
export function roundConfigOf(c: FederationConfig): RoundConfig {
  return { update: c.update, policy: c.model.policy as FederatedPolicy, proximalMu: c.proximalMu, training: c.training };
}

export function optimizerOf(c: FederationConfig): ServerOptimizerConfig {
  return c.aggregator as ServerOptimizerConfig;
}

/** SHA-256 of the configuration that shapes a model (round config + aggregator), keys sorted. */
export function configHash(c: FederationConfig): string {
  const canonical = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])])) : Array.isArray(v) ? v.map(canonical) : v;
  return createHash('sha256').update(JSON.stringify(canonical({ round: roundConfigOf(c), aggregator: c.aggregator }))).digest('hex');
}
