import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDecimalString, formatIntegerString } from './formatNumber.js';
import { python } from './testing/referenceTools.js';

test('DS text fits 16 characters, is valid for pydicom, and reads back close to the number', () => {
  const values = [0, -0.5, 1 / 3, Math.PI * 1e-12, -Math.E * 1e20, 123456789012345680, 2047.5, -1024, 1e-300, 6.02214076e23, 0.1 + 0.2];
  const texts = values.map(formatDecimalString);
  for (const [i, s] of texts.entries()) {
    assert.ok(s.length <= 16, `${s} is at most 16 characters`);
    const rel = Math.abs(Number(s) - values[i]!) / Math.max(Math.abs(values[i]!), 1e-300);
    assert.ok(rel < 1e-9, `${s} reads back within 1e-9 of ${values[i]}`);
  }
  const verdicts = python('import json,sys\nfrom pydicom.valuerep import is_valid_ds\nprint(json.dumps([is_valid_ds(s) for s in json.load(sys.stdin)]))', JSON.stringify(texts));
  assert.deepEqual(JSON.parse(verdicts), texts.map(() => true), `pydicom accepts ${texts.join(' ')}`);
  assert.throws(() => formatDecimalString(Infinity), /finite/);
});

test('IS text is the integer, and non-integers or out-of-range values are refused', () => {
  assert.equal(formatIntegerString(-2147483648), '-2147483648');
  assert.throws(() => formatIntegerString(2 ** 31), /IS value/);
  assert.throws(() => formatIntegerString(0.5), /IS value/);
});
