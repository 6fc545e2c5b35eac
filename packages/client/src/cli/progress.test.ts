import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createProgress, formatDuration } from './progress.js';

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, isTTY, columns: 100, write: (s: string) => writes.push(s) };
}

test('terminal: redraws one line in place, throttled, with count, rate and ETA from the clock', () => {
  let t = 0;
  const s = stream(true);
  const p = createProgress(s, { total: 200, label: 'scan', unit: 'files', now: () => t });
  t = 1000;
  p.update(50); // 50 files in 1 s: 50/s, 150 left → ETA 0:03
  t = 1050;
  p.update(60); // within 100 ms of the last draw: not drawn
  t = 2000;
  p.tick(40); // 100 in 2 s: 50/s, ETA 0:02
  p.finish('done');
  assert.equal(s.writes.length, 5);
  assert.ok(s.writes.slice(0, 3).every((w) => w.startsWith('\r') && w.endsWith('\x1b[K')));
  assert.match(s.writes[0]!, /scan \[#{8}-{22}\] {2}25% 50\/200 {2}50\.0 files\/s {2}ETA 0:03/);
  assert.match(s.writes[1]!, /50% 100\/200 {2}50\.0 files\/s {2}ETA 0:02/);
  assert.match(s.writes[2]!, /50% 100\/200/);
  assert.deepEqual(s.writes.slice(3), ['\n', 'done\n']);
  p.update(150);
  assert.equal(s.writes.length, 5, 'inert after finish');
});

test('not a terminal: a plain line at most every lineEveryMs, none redrawn', () => {
  let t = 0;
  const s = stream(false);
  const p = createProgress(s, { total: 10, unit: 'files', lineEveryMs: 5000, now: () => t });
  for (let i = 1; i <= 10; i++) {
    t = i * 1000;
    p.update(i);
  }
  p.finish();
  // Drawn at t=1 s (first), t=6 s (5 s later), and the final line.
  assert.equal(s.writes.length, 3);
  assert.ok(s.writes.every((w) => w.endsWith('\n') && !w.includes('\r') && !w.includes('\x1b')));
  assert.match(s.writes[0]!, / 10% 1\/10 {2}1\.00 files\/s {2}ETA 0:09/);
  assert.match(s.writes[1]!, / 60% 6\/10/);
  assert.match(s.writes[2]!, /100% 10\/10 {2}1\.00 files\/s {2}ETA 0:00/);
});

test('unknown total shows count, rate and elapsed time', () => {
  let t = 0;
  const s = stream(false);
  const p = createProgress(s, { unit: 'batches', now: () => t });
  t = 4000;
  p.update(8);
  assert.match(s.writes[0]!, /^8 batches {2}2\.00 batches\/s {2}0:04\n$/);
});

test('formatDuration', () => {
  assert.equal(formatDuration(0), '0:00');
  assert.equal(formatDuration(65), '1:05');
  assert.equal(formatDuration(3723), '1:02:03');
  assert.equal(formatDuration(Infinity), '--:--');
});
