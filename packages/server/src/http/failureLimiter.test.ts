import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FailureLimiter } from './failureLimiter.js';

test('five failures within a minute lock an address until the oldest failure is a minute old', () => {
  let t = 1_000_000;
  const l = new FailureLimiter(5, 60_000, () => t);
  for (let i = 0; i < 5; i++) {
    assert.equal(l.retryAfterMs('a'), 0, `attempt ${i + 1} is allowed`);
    l.fail('a');
    t += 1000;
  }
  // Failures at 0 s … 4 s; now 5 s: locked until the first is 60 s old.
  assert.equal(l.retryAfterMs('a'), 55_000);
  assert.equal(l.retryAfterMs('b'), 0, 'other addresses are not affected');
  t += 55_000;
  assert.equal(l.retryAfterMs('a'), 0, 'the window slid past the first failure');
  l.fail('a');
  assert.equal(l.retryAfterMs('a'), 1000, 'the second failure (at 1 s) now gates');
  l.succeed('a');
  assert.equal(l.retryAfterMs('a'), 0, 'a success clears the record');
});

test('nonsense limits are refused at construction', () => {
  assert.throws(() => new FailureLimiter(0), /maxFailures must be an integer ≥ 1, got 0/);
  assert.throws(() => new FailureLimiter(5, 0), /windowMs must be > 0/);
});
