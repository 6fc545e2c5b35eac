/**
 * Every refusal the protocol can produce. The code is stable (tests, audit log and site agents
 * switch on it); the message says what was wrong and what to do.
 */
export type ProtocolErrorCode =
  | 'schema.invalid'
  | 'version.unsupported'
  | 'weights.malformed'
  | 'weights.too_large'
  | 'weights.non_finite'
  | 'weights.fp16_overflow'
  | 'weights.shape_mismatch'
  | 'weights.name_not_federated'
  | 'chunk.malformed'
  | 'chunk.too_large'
  | 'chunk.hash_mismatch'
  | 'chunk.missing'
  | 'update.hash_mismatch'
  | 'update.too_large'
  | 'update.decrypt_failed'
  | 'update.bad_signature'
  | 'update.claims_mismatch'
  | 'update.replayed'
  | 'update.duplicate'
  | 'update.unknown'
  | 'round.nonce_mismatch'
  | 'round.closed'
  | 'round.not_selected'
  | 'round.unknown'
  | 'token.invalid'
  | 'token.forged'
  | 'token.expired'
  | 'token.revoked'
  | 'token.missing'
  | 'site.revoked'
  | 'site.unknown'
  | 'enrolment.invalid_token'
  | 'manifest.unsigned'
  | 'manifest.bad_signature'
  | 'manifest.stale'
  | 'manifest.hash_mismatch'
  | 'key.invalid'
  | 'payload.too_large'
  | 'internal';

/** A typed protocol refusal: `code` for machines, `message` for people, `field` when one field is to blame. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }

  /** The wire form sent back to a site or REST client. */
  toJSON(): { code: ProtocolErrorCode; message: string; field?: string } {
    return this.field === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, field: this.field };
  }
}

export function isProtocolError(err: unknown): err is ProtocolError {
  return err instanceof ProtocolError;
}
