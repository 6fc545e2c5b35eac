import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ProtocolError } from '@fedcl/protocol';
import type { Store } from '../store/store.js';

const STATUS: Record<string, number> = {
  'schema.invalid': 400,
  'token.missing': 401,
  'token.invalid': 401,
  'token.forged': 401,
  'token.expired': 401,
  'token.revoked': 401,
  'site.revoked': 403,
  'site.unknown': 404,
  'enrolment.invalid_token': 403,
  'round.unknown': 404,
  'payload.too_large': 413,
  'key.invalid': 400,
};

/** `body` + `/publicKey/x` (+ missing `y`) → `body.publicKey.x` */
function fieldOf(err: FastifyError): string | undefined {
  const v = err.validation?.[0];
  if (!v) return undefined;
  const missing = (v.params as { missingProperty?: string })?.missingProperty;
  return [err.validationContext, ...v.instancePath.split('/').filter(Boolean), ...(missing ? [missing] : [])].filter(Boolean).join('.');
}

/** Who made a request, for the audit log: the authenticated principal if any, else the address. */
export function actorOf(req: FastifyRequest): string {
  return (req as FastifyRequest & { principal?: string }).principal ?? `ip:${req.ip}`;
}

/**
 * One error shape for every refusal ({code, message, field?}); each refusal is audited. Schema
 * errors name the field (`body.publicKey.x: must match pattern …`).
 */
export function errorHandler(store: Store) {
  return (err: FastifyError, req: FastifyRequest, reply: FastifyReply): void => {
    let status: number;
    let body: { code: string; message: string; field?: string };
    if (err.validation) {
      const field = fieldOf(err);
      status = 400;
      body = { code: 'schema.invalid', message: `${field ?? err.validationContext}: ${err.validation[0]?.message ?? 'invalid'}`, ...(field ? { field } : {}) };
    } else if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      status = 413;
      body = { code: 'payload.too_large', message: `request body exceeds the limit of ${req.routeOptions.bodyLimit ?? 'configured'} bytes` };
    } else if (err instanceof ProtocolError) {
      status = STATUS[err.code] ?? 400;
      body = err.toJSON();
    } else if (err.statusCode && err.statusCode < 500) {
      status = err.statusCode;
      body = { code: err.code ?? 'request.invalid', message: err.message };
    } else {
      status = 500;
      body = { code: 'internal', message: `internal error: ${err.message}` };
    }
    if (store.db.open) store.audit({ actor: actorOf(req), action: `${req.method} ${req.routeOptions.url ?? req.url}`, outcome: 'refused', code: body.code, detail: { message: body.message, status } });
    void reply.status(status).send(body);
  };
}
