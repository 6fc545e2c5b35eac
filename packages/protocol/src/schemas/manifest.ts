import { Type, type Static } from '@sinclair/typebox';
import { FederatedPolicy, Id, Metrics, Sha256Hex, UpdateId } from './common.js';

export const TensorSpec = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 512 }),
  shape: Type.Array(Type.Integer({ minimum: 0 }), { maxItems: 8 }),
});
export type TensorSpec = Static<typeof TensorSpec>;

/** One site's contribution to a model version. */
export const ManifestSite = Type.Object({
  site: Id,
  samples: Type.Integer({ minimum: 1 }),
  updateId: UpdateId,
  metrics: Metrics,
  backend: Type.Optional(Type.String({ maxLength: 64 })),
});

/**
 * Provenance of one global model version. The coordinator signs it (JWS, ES256); sites refuse a
 * model whose manifest is unsigned, badly signed, older than what they hold, or whose weights do
 * not hash to `sha256`.
 */
export const ModelManifest = Type.Object({
  v: Type.Integer(),
  federation: Type.String({ maxLength: 128 }),
  version: Type.Integer({ minimum: 0 }),
  round: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  parents: Type.Array(Type.Integer({ minimum: 0 })),
  createdAt: Type.String({ format: 'date-time' }),
  sha256: Sha256Hex,
  bytes: Type.Integer({ minimum: 0 }),
  dtype: Type.Literal('fp32'),
  tensors: Type.Array(TensorSpec),
  sites: Type.Array(ManifestSite),
  samples: Type.Integer({ minimum: 0 }),
  configHash: Sha256Hex,
  aggregator: Type.Object({ name: Type.String(), params: Type.Record(Type.String(), Type.Number()) }),
  metrics: Metrics,
  policy: FederatedPolicy,
});
export type ModelManifest = Static<typeof ModelManifest>;
