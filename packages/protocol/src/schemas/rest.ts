import { Type, type Static } from '@sinclair/typebox';
import { CompactJws, Id, Metrics, Nonce, PublicJwk, Sha256Hex } from './common.js';
import { ModelManifest } from './manifest.js';

export const Health = Type.Object({
  status: Type.Literal('ok'),
  protocol: Type.Integer(),
  federation: Type.String(),
  round: Type.Union([Type.Object({ round: Type.Integer(), status: Type.String() }), Type.Null()]),
});

/** Site → coordinator: redeem a one-time enrolment token and register the site's signing key. */
export const EnrolRequest = Type.Object(
  {
    token: Type.String({ minLength: 16, maxLength: 256 }),
    name: Id,
    publicKey: PublicJwk,
  },
  { additionalProperties: false },
);
export type EnrolRequest = Static<typeof EnrolRequest>;

export const CoordinatorKeys = Type.Object({
  federation: Type.String(),
  /** verifies JWTs and model manifests (ES256) */
  signingKey: PublicJwk,
  /** updates are encrypted to it (ECDH-ES+A256KW, A256GCM) */
  encryptionKey: PublicJwk,
});
export type CoordinatorKeys = Static<typeof CoordinatorKeys>;

export const AccessToken = Type.Object({
  accessToken: CompactJws,
  /** seconds since the epoch */
  expiresAt: Type.Integer(),
});
export type AccessToken = Static<typeof AccessToken>;

export const EnrolResponse = Type.Object({
  siteId: Id,
  accessToken: CompactJws,
  expiresAt: Type.Integer(),
  coordinator: CoordinatorKeys,
  namespace: Type.String(),
});
export type EnrolResponse = Static<typeof EnrolResponse>;

/** Site → coordinator: a short-lived assertion signed by the site key, exchanged for a fresh JWT. */
export const TokenRequest = Type.Object({ assertion: CompactJws }, { additionalProperties: false });
export type TokenRequest = Static<typeof TokenRequest>;

export const CreateEnrolmentToken = Type.Object(
  {
    name: Type.Optional(Id),
    ttlSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 30 * 86400 })),
  },
  { additionalProperties: false },
);
export const EnrolmentToken = Type.Object({ token: Type.String(), expiresAt: Type.Integer() });

export const RevokeRequest = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 512 })) }, { additionalProperties: false });
export const RevokeTokenRequest = Type.Object(
  { jti: Id, reason: Type.Optional(Type.String({ maxLength: 512 })) },
  { additionalProperties: false },
);

export const Site = Type.Object({
  id: Id,
  name: Type.String(),
  keyThumbprint: Type.String(),
  enrolledAt: Type.String(),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
  lastSeenAt: Type.Union([Type.String(), Type.Null()]),
  connected: Type.Boolean(),
});
export type Site = Static<typeof Site>;

export const RoundStatus = Type.Union([
  Type.Literal('waiting'),
  Type.Literal('training'),
  Type.Literal('aggregating'),
  Type.Literal('published'),
  Type.Literal('failed'),
]);
export type RoundStatus = Static<typeof RoundStatus>;

export const Round = Type.Object({
  round: Type.Integer(),
  status: RoundStatus,
  nonce: Nonce,
  globalVersion: Type.Integer(),
  selected: Type.Array(Type.String()),
  quorum: Type.Integer(),
  deadline: Type.Union([Type.String(), Type.Null()]),
  openedAt: Type.String(),
  closedAt: Type.Union([Type.String(), Type.Null()]),
  closeReason: Type.Union([Type.String(), Type.Null()]),
  accepted: Type.Array(Type.Object({ site: Type.String(), samples: Type.Integer(), updateId: Type.String(), metrics: Metrics })),
  resultVersion: Type.Union([Type.Integer(), Type.Null()]),
});
export type Round = Static<typeof Round>;

export const ModelSummary = Type.Object({
  version: Type.Integer(),
  round: Type.Union([Type.Integer(), Type.Null()]),
  sha256: Sha256Hex,
  bytes: Type.Integer(),
  createdAt: Type.String(),
  parents: Type.Array(Type.Integer()),
  samples: Type.Integer(),
  sites: Type.Integer(),
});

export const SignedManifest = Type.Object({ jws: CompactJws, manifest: ModelManifest });
export type SignedManifest = Static<typeof SignedManifest>;

export const AuditEntry = Type.Object({
  id: Type.Integer(),
  at: Type.String(),
  actor: Type.String(),
  action: Type.String(),
  outcome: Type.Union([Type.Literal('ok'), Type.Literal('refused')]),
  code: Type.Union([Type.String(), Type.Null()]),
  detail: Type.Record(Type.String(), Type.Unknown()),
});
export type AuditEntry = Static<typeof AuditEntry>;

export const AuditQuery = Type.Object({
  after: Type.Optional(Type.Integer({ minimum: 0 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  outcome: Type.Optional(Type.Union([Type.Literal('ok'), Type.Literal('refused')])),
});

export const CoordinatorMetrics = Type.Object({
  rounds: Type.Record(Type.String(), Type.Integer()),
  sitesEnrolled: Type.Integer(),
  sitesConnected: Type.Integer(),
  updatesAccepted: Type.Integer(),
  updatesRefused: Type.Integer(),
  bytesReceived: Type.Integer(),
  bytesSent: Type.Integer(),
  aggregateSeconds: Type.Number(),
  latestVersion: Type.Union([Type.Integer(), Type.Null()]),
});
export type CoordinatorMetrics = Static<typeof CoordinatorMetrics>;
