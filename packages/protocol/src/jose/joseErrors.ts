import { errors } from 'jose';
import { ProtocolError, type ProtocolErrorCode } from '../errors.js';

/**
 * Maps a jose failure to a ProtocolError: a bad signature or a disallowed algorithm is `forged`,
 * an expired token `expired`, anything else `invalid`, each prefixed by `what`.
 */
export function fromJoseError(err: unknown, what: string, codes: { forged: ProtocolErrorCode; expired?: ProtocolErrorCode; invalid: ProtocolErrorCode }): ProtocolError {
  if (err instanceof ProtocolError) return err;
  if (err instanceof errors.JWTExpired && codes.expired) {
    return new ProtocolError(codes.expired, `${what} expired at ${new Date(Number(err.payload.exp) * 1000).toISOString()}; get a fresh one`);
  }
  if (err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JOSEAlgNotAllowed) {
    return new ProtocolError(codes.forged, `${what} signature does not verify with the expected key (${(err as Error).message})`);
  }
  if (err instanceof errors.JWTClaimValidationFailed) {
    return new ProtocolError(codes.invalid, `${what} claim '${err.claim}' is wrong: ${err.reason} (${err.message})`, err.claim);
  }
  return new ProtocolError(codes.invalid, `${what} is malformed: ${(err as Error).message}`);
}
