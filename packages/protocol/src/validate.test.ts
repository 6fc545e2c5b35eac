import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtocolError } from './errors.js';
import { EnrolRequest } from './schemas/rest.js';
import { validate } from './validate.js';

test('validate returns the value or throws schema.invalid naming the field', () => {
  const ok = { token: 'x'.repeat(20), name: 'site-a', publicKey: { kty: 'EC', crv: 'P-256', x: 'a'.repeat(43), y: 'b'.repeat(43) } };
  assert.deepEqual(validate(EnrolRequest, ok, 'enrol'), ok);
  assert.throws(
    () => validate(EnrolRequest, { ...ok, publicKey: { ...ok.publicKey, d: 'secret' } }, 'enrol'),
    (e: unknown) => e instanceof ProtocolError && e.code === 'schema.invalid' && e.field!.startsWith('enrol.publicKey'),
  );
  assert.throws(() => validate(EnrolRequest, { ...ok, name: 'has space' }, 'enrol'), (e: unknown) => e instanceof ProtocolError && e.field === 'enrol.name');
});
