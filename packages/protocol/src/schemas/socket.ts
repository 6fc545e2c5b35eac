import { Type, type Static } from '@sinclair/typebox';
import {
  Base64Url,
  CompactJws,
  FederatedPolicy,
  Id,
  Metrics,
  Nonce,
  Sha256Hex,
  UpdateId,
  UpdateKind,
  WeightDtype,
} from './common.js';

const V = Type.Integer({ minimum: 1, description: 'protocol version' });

/** What a site must do in a round; `training` is passed through to the site's trainer untouched. */
export const RoundConfig = Type.Object({
  update: Type.Object({ kind: UpdateKind, dtype: WeightDtype }),
  policy: FederatedPolicy,
  /** FedProx proximal term μ (0 = plain FedAvg local objective). Applied at the site. */
  proximalMu: Type.Number({ minimum: 0 }),
  training: Type.Record(Type.String({ maxLength: 64 }), Type.Union([Type.Number(), Type.String({ maxLength: 256 }), Type.Boolean()]), { maxProperties: 64 }),
});
export type RoundConfig = Static<typeof RoundConfig>;

/** Coordinator → site: train on global model `globalVersion` (fetch `weightsPath`, verify `manifest`). */
export const RoundStart = Type.Object({
  type: Type.Literal('round.start'),
  v: V,
  round: Type.Integer({ minimum: 0 }),
  nonce: Nonce,
  deadline: Type.String({ format: 'date-time' }),
  globalVersion: Type.Integer({ minimum: 0 }),
  manifest: CompactJws,
  weightsPath: Type.String({ maxLength: 256 }),
  config: RoundConfig,
});
export type RoundStart = Static<typeof RoundStart>;

/** The small parts of a JWE in flattened serialisation; the ciphertext travels as binary chunks. */
export const JweHeader = Type.Object(
  { protected: Base64Url, encrypted_key: Base64Url, iv: Base64Url, tag: Base64Url },
  { additionalProperties: false },
);
export type JweHeader = Static<typeof JweHeader>;

/**
 * Everything a site asserts about one update; signed by the site's enrolled key (JWS ES256), so the
 * sample count (which weights the average), the nonce and the ciphertext hash cannot be altered.
 */
export const UpdateClaims = Type.Object(
  {
    v: V,
    site: Id,
    round: Type.Integer({ minimum: 0 }),
    nonce: Nonce,
    updateId: UpdateId,
    baseVersion: Type.Integer({ minimum: 0 }),
    kind: UpdateKind,
    samples: Type.Integer({ minimum: 1, maximum: 1e9 }),
    /** SHA-256 of the whole ciphertext. */
    sha256: Sha256Hex,
    bytes: Type.Integer({ minimum: 1 }),
    chunkSize: Type.Integer({ minimum: 64, maximum: 1 << 20 }),
    chunks: Type.Integer({ minimum: 1, maximum: 1 << 20 }),
    jwe: JweHeader,
    metrics: Metrics,
    backend: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type UpdateClaims = Static<typeof UpdateClaims>;

/** Site → coordinator: announce (or resume) an upload. `jws` carries the UpdateClaims. */
export const UpdateBegin = Type.Object({ type: Type.Literal('update.begin'), v: V, jws: CompactJws });
export type UpdateBegin = Static<typeof UpdateBegin>;

/** Coordinator → site (ack of update.begin): send the chunks not in `have`. */
export const UpdateReady = Type.Object({
  type: Type.Literal('update.ready'),
  v: V,
  updateId: UpdateId,
  have: Type.Array(Type.Integer({ minimum: 0 })),
});
export type UpdateReady = Static<typeof UpdateReady>;

/** Site → coordinator: one chunk of ciphertext (≤ 1 MiB) with its SHA-256. */
export const UpdateChunk = Type.Object({
  type: Type.Literal('update.chunk'),
  v: V,
  updateId: UpdateId,
  index: Type.Integer({ minimum: 0 }),
  sha256: Sha256Hex,
  data: Type.Uint8Array(),
});
export type UpdateChunk = Static<typeof UpdateChunk>;

export const ChunkAck = Type.Object({
  type: Type.Literal('chunk.ack'),
  v: V,
  updateId: UpdateId,
  index: Type.Integer({ minimum: 0 }),
  received: Type.Integer({ minimum: 0 }),
});
export type ChunkAck = Static<typeof ChunkAck>;

/** Site → coordinator: all chunks sent; verify, decrypt and aggregate. */
export const UpdateCommit = Type.Object({ type: Type.Literal('update.commit'), v: V, updateId: UpdateId });
export type UpdateCommit = Static<typeof UpdateCommit>;

/** Coordinator → site: the update is durable and counted. */
export const UpdateAck = Type.Object({
  type: Type.Literal('update.ack'),
  v: V,
  updateId: UpdateId,
  round: Type.Integer({ minimum: 0 }),
  accepted: Type.Integer({ minimum: 0 }),
  quorum: Type.Integer({ minimum: 0 }),
});
export type UpdateAck = Static<typeof UpdateAck>;

/** Coordinator → site: the update (or chunk) was refused; nothing was changed. */
export const UpdateRefused = Type.Object({
  type: Type.Literal('update.refused'),
  v: V,
  updateId: Type.Optional(Type.String()),
  code: Type.String(),
  message: Type.String(),
  field: Type.Optional(Type.String()),
});
export type UpdateRefused = Static<typeof UpdateRefused>;

/** Coordinator → every site: a new global model version exists. */
export const ModelPublished = Type.Object({
  type: Type.Literal('model.published'),
  v: V,
  version: Type.Integer({ minimum: 0 }),
  round: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  manifest: CompactJws,
  weightsPath: Type.String({ maxLength: 256 }),
});
export type ModelPublished = Static<typeof ModelPublished>;

/** Coordinator → selected sites that have not reported: stop, the round is over. */
export const RoundClosed = Type.Object({
  type: Type.Literal('round.closed'),
  v: V,
  round: Type.Integer({ minimum: 0 }),
  status: Type.String(),
  reason: Type.String(),
});
export type RoundClosed = Static<typeof RoundClosed>;

export const Heartbeat = Type.Object({ type: Type.Literal('heartbeat'), v: V, at: Type.Number() });
export type Heartbeat = Static<typeof Heartbeat>;

export const HeartbeatAck = Type.Object({ type: Type.Literal('heartbeat.ack'), v: V, at: Type.Number(), serverTime: Type.Number() });
export type HeartbeatAck = Static<typeof HeartbeatAck>;

export const ErrorMessage = Type.Object({
  type: Type.Literal('error'),
  v: V,
  code: Type.String(),
  message: Type.String(),
  field: Type.Optional(Type.String()),
});
export type ErrorMessage = Static<typeof ErrorMessage>;

/** socket.io event names on the `/sites` namespace. Requests carry an ack callback. */
export const SiteEvents = {
  /** server → site */
  roundStart: 'round.start',
  roundClosed: 'round.closed',
  modelPublished: 'model.published',
  /** site → server, acked with UpdateReady | UpdateRefused */
  updateBegin: 'update.begin',
  /** site → server, acked with ChunkAck | UpdateRefused */
  updateChunk: 'update.chunk',
  /** site → server, acked with UpdateAck | UpdateRefused */
  updateCommit: 'update.commit',
  /** site → server, acked with HeartbeatAck */
  heartbeat: 'heartbeat',
} as const;

/** socket.io namespace the sites connect to. */
export const SITES_NAMESPACE = '/sites';
