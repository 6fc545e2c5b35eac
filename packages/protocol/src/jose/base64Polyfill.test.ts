import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../testing/random.js';
import './base64Polyfill.js';

type WithBase64 = { fromBase64(s: string, o?: { alphabet?: string }): Uint8Array };
const U8 = Uint8Array as unknown as WithBase64;
const toB64 = (u: Uint8Array, o?: object): string => (u as unknown as { toBase64(o?: object): string }).toBase64(o);

/** Reference: btoa/atob over a binary string (RFC 4648), URL alphabet by substitution. */
const refEncode = (u: Uint8Array): string => btoa(String.fromCharCode(...u));
const refDecode = (s: string): Uint8Array => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

test('toBase64/fromBase64 agree with btoa/atob for every length 0–64 and both alphabets', () => {
  const rnd = seededRandom(5);
  for (let n = 0; n <= 64; n++) {
    const u = Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256));
    const std = refEncode(u);
    const url = std.replace(/\+/g, '-').replace(/\//g, '_');
    assert.equal(toB64(u), std);
    assert.equal(toB64(u, { alphabet: 'base64url' }), url);
    assert.equal(toB64(u, { alphabet: 'base64url', omitPadding: true }), url.replace(/=+$/, ''));
    assert.deepEqual(U8.fromBase64(std), refDecode(std));
    assert.deepEqual(U8.fromBase64(url.replace(/=+$/, ''), { alphabet: 'base64url' }), refDecode(std));
  }
});

test('fromBase64 refuses characters outside the alphabet instead of skipping them', () => {
  assert.throws(() => U8.fromBase64('ab+c', { alphabet: 'base64url' }), SyntaxError);
  assert.throws(() => U8.fromBase64('ab_c'), SyntaxError);
  assert.throws(() => U8.fromBase64('a*cd'), SyntaxError);
  assert.throws(() => U8.fromBase64('abcde'), SyntaxError);
});
