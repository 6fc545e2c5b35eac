import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ThroughputMeter } from './progress.js';

test('throughput excludes the first (warm-up) step; ETA is remaining steps × mean step time', () => {
  let now = 0;
  const m = new ThroughputMeter(() => now);
  const step = (seconds: number, images: number) => {
    const t = m.start();
    now += seconds;
    m.end(t, images);
  };
  step(10, 32); // first step: compile/caches, not counted
  assert.equal(m.imagesPerSec, 0);
  assert.equal(m.eta(4), 40);
  step(2, 32);
  step(6, 32);
  assert.equal(m.imagesPerSec, 64 / 8);
  assert.equal(m.secondsPerStep, 4);
  assert.equal(m.eta(5), 20);
});
