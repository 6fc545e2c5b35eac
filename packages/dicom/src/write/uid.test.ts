import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FEDCL_IMPLEMENTATION_CLASS_UID, randomUid, uidFromName, uidFromUuid } from './uid.js';

const UID = /^(0|[1-9]\d*)(\.(0|[1-9]\d*))*$/;

test('2.25 UID of the UUID example in PS3.5 §B.2', () => {
  assert.equal(uidFromUuid('f81d4fae-7dec-11d0-a765-00a0c91e6bf6'), '2.25.329800735698586629295641978511506172918');
});

test('name-based UIDs are deterministic, distinct, RFC 4122 version 5, and valid UI values', () => {
  const a = uidFromName('site-1/patient-1');
  assert.equal(uidFromName('site-1/patient-1'), a);
  assert.notEqual(uidFromName('site-1/patient-2'), a);
  for (const uid of [a, randomUid(), FEDCL_IMPLEMENTATION_CLASS_UID]) {
    assert.match(uid, UID);
    assert.ok(uid.length <= 64, `${uid} fits UI`);
    const hex = BigInt(uid.slice(5)).toString(16).padStart(32, '0');
    assert.equal(hex[16]!.match(/[89ab]/) !== null, true, `RFC 4122 variant in ${hex}`);
  }
  assert.equal(BigInt(a.slice(5)).toString(16).padStart(32, '0')[12], '5');
});
