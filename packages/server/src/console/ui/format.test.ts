import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes, formatMetric, formatTime, relativeTime } from './format.js';

test('formatBytes uses powers of 1024 and three significant digits', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1023), '1023 B');
  assert.equal(formatBytes(1536), '1.50 KiB');
  assert.equal(formatBytes(44 * 1024 * 1024 + 512 * 1024), '44.5 MiB');
  assert.equal(formatBytes(-1), '—');
});

test('relativeTime counts seconds, minutes, hours, days either way', () => {
  const now = Date.parse('2026-12-04T12:00:00Z');
  assert.equal(relativeTime('2026-12-04T12:00:12Z', now), 'in 12 s');
  assert.equal(relativeTime('2026-12-04T11:55:50Z', now), '4 m 10 s ago');
  assert.equal(relativeTime('2026-12-04T14:30:00Z', now), 'in 2 h 30 m');
  assert.equal(relativeTime('2026-12-01T12:00:00Z', now), '3 d ago');
  assert.equal(relativeTime(null, now), '—');
  assert.equal(relativeTime('not a time', now), '—');
});

test('formatMetric and formatTime', () => {
  assert.equal(formatMetric(0.123456), '0.1235');
  assert.equal(formatMetric(42), '42');
  assert.equal(formatMetric(Number.NaN), '—');
  assert.equal(formatTime('2026-12-04T21:16:10.123Z'), '2026-12-04 21:16:10');
});
