import type { Static, TSchema } from '@sinclair/typebox';
import { FormatRegistry } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { ProtocolError } from './errors.js';

// TypeBox checks formats only once registered; fastify's ajv (ajv-formats) knows them already.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', (v) => DATE_TIME.test(v) && !Number.isNaN(Date.parse(v)));

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

function checker<T extends TSchema>(schema: T): TypeCheck<T> {
  let c = compiled.get(schema);
  if (!c) {
    c = TypeCompiler.Compile(schema);
    compiled.set(schema, c);
  }
  return c as TypeCheck<T>;
}

/** `/claims/round` → `claims.round`; the root is called by `what`. */
function fieldName(what: string, path: string): string {
  const rest = path.split('/').filter(Boolean).join('.');
  return rest ? `${what}.${rest}` : what;
}

/**
 * Checks `value` against `schema` and returns it typed, or throws ProtocolError('schema.invalid')
 * naming the first offending field (`update.begin.claims.round: Expected integer`).
 * `what` names the value in the message, e.g. the message type.
 */
export function validate<T extends TSchema>(schema: T, value: unknown, what: string): Static<T> {
  const c = checker(schema);
  if (c.Check(value)) return value;
  const first = c.Errors(value).First();
  const field = first ? fieldName(what, first.path) : what;
  const detail = first ? first.message : 'does not match its schema';
  throw new ProtocolError('schema.invalid', `${field}: ${detail}`, field);
}

/** Like validate() but returns a boolean; for places that only branch. */
export function matches<T extends TSchema>(schema: T, value: unknown): value is Static<T> {
  return checker(schema).Check(value);
}
