import { Type, type Static } from '@sinclair/typebox';

/** Lower-case hex SHA-256 (64 characters). */
export const Sha256Hex = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256, lower-case hex' });

/** Site ids, names and JWT ids: short, printable, no spaces. */
export const Id = Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,128}$', description: 'identifier: letters, digits, _ . : - (1–128)' });

/** An update id chosen by the site: 128 bits or more of randomness, base64url. */
export const UpdateId = Type.String({ pattern: '^[A-Za-z0-9_-]{22,64}$', description: 'random update id (base64url, ≥ 128 bits)' });

/** A round nonce chosen by the coordinator: 128 bits or more of randomness, base64url. */
export const Nonce = Type.String({ pattern: '^[A-Za-z0-9_-]{22,64}$', description: 'round nonce (base64url, ≥ 128 bits)' });

/** A JWS or JWT in compact serialisation. */
export const CompactJws = Type.String({
  pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$',
  maxLength: 65536,
  description: 'JWS compact serialisation',
});

export const Base64Url = Type.String({ pattern: '^[A-Za-z0-9_-]*$', maxLength: 65536 });

/** A public EC P-256 key as JWK. `d` (private part) is refused by additionalProperties: false. */
export const PublicJwk = Type.Object(
  {
    kty: Type.Literal('EC'),
    crv: Type.Literal('P-256'),
    x: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' }),
    y: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' }),
    kid: Type.Optional(Type.String({ maxLength: 128 })),
    alg: Type.Optional(Type.String({ maxLength: 32 })),
    use: Type.Optional(Type.String({ maxLength: 8 })),
  },
  { additionalProperties: false, description: 'public EC P-256 key (JWK, no private part)' },
);
export type PublicJwk = Static<typeof PublicJwk>;

/** How weights are packed on the wire. */
export const WeightDtype = Type.Union([Type.Literal('fp32'), Type.Literal('fp16'), Type.Literal('int8')]);
export type WeightDtype = Static<typeof WeightDtype>;

/** `delta`: local − global; `weights`: the full local weights. */
export const UpdateKind = Type.Union([Type.Literal('delta'), Type.Literal('weights')]);
export type UpdateKind = Static<typeof UpdateKind>;

/** Aggregate metrics only (loss, accuracy…): never per-sample values. */
export const Metrics = Type.Record(Type.String({ pattern: '^[A-Za-z0-9_.:/-]{1,64}$' }), Type.Number(), { maxProperties: 64 });
export type Metrics = Static<typeof Metrics>;

/**
 * Which tensors are federated: names under `prefix` (encoder-only aggregation) that match no
 * `exclude` glob (FedBN: BatchNorm layers stay local). Globs: `*` any run of characters except `/`,
 * `**` anything, `?` one character except `/`.
 */
export const FederatedPolicy = Type.Object(
  {
    prefix: Type.String({ maxLength: 256, description: 'only names starting with this are aggregated, e.g. "encoder/"' }),
    exclude: Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { maxItems: 64, description: 'glob patterns of names that stay local (FedBN)' }),
  },
  { additionalProperties: false },
);
export type FederatedPolicy = Static<typeof FederatedPolicy>;

/** The error body of every refusal, REST or socket. */
export const ErrorBody = Type.Object({
  code: Type.String(),
  message: Type.String(),
  field: Type.Optional(Type.String()),
});
export type ErrorBody = Static<typeof ErrorBody>;
