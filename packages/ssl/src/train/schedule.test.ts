import { test } from 'node:test';
import assert from 'node:assert/strict';
import { warmupCosineLr, validateWarmupCosine, ScheduleConfigError } from './schedule.js';

const close = (a: number, b: number, tol = 1e-12) =>
  assert.ok(Math.abs(a - b) <= tol, `expected ${b}, got ${a}`);

test('warmup is linear and reaches baseLr at its last step', () => {
  const c = { baseLr: 0.4, warmupSteps: 4, totalSteps: 14 };
  close(warmupCosineLr(0, c), 0.1);
  close(warmupCosineLr(1, c), 0.2);
  close(warmupCosineLr(3, c), 0.4);
});

test('cosine: baseLr at its start, the mean of base and min at mid-decay, minLr at the end', () => {
  const c = { baseLr: 0.4, warmupSteps: 4, totalSteps: 14, minLr: 0.02 };
  close(warmupCosineLr(4, c), 0.4);
  close(warmupCosineLr(9, c), (0.4 + 0.02) / 2);
  // a quarter of the way: ½(1+cos(π/4)) = (2+√2)/4
  const c2 = { baseLr: 1, warmupSteps: 0, totalSteps: 8 };
  close(warmupCosineLr(2, c2), (2 + Math.SQRT2) / 4);
  close(warmupCosineLr(6, c2), (2 - Math.SQRT2) / 4);
  close(warmupCosineLr(14, c), 0.02);
  close(warmupCosineLr(100, c), 0.02);
});

test('monotone non-increasing after warmup', () => {
  const c = { baseLr: 1, warmupSteps: 10, totalSteps: 200, minLr: 0.001 };
  for (let s = 10; s < 220; s++) assert.ok(warmupCosineLr(s + 1, c) <= warmupCosineLr(s, c));
});

test('bad configurations name the field', () => {
  assert.throws(() => validateWarmupCosine({ baseLr: 0, warmupSteps: 0, totalSteps: 1 }), /baseLr/);
  assert.throws(() => validateWarmupCosine({ baseLr: 1, warmupSteps: 5, totalSteps: 4 }), /warmupSteps/);
  assert.throws(() => validateWarmupCosine({ baseLr: 1, warmupSteps: 0, totalSteps: 0 }), ScheduleConfigError);
  assert.throws(() => validateWarmupCosine({ baseLr: 1, warmupSteps: 0, totalSteps: 3, minLr: 2 }), /minLr/);
});
