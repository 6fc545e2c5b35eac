/** `fedcl demo-data` end to end through main(). */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../main.js';

function capture() {
  const io = { out: '', err: '', stdout: { write: (s: string) => (io.out += s) }, stderr: { isTTY: false, write: (s: string) => (io.err += s) } };
  return io;
}

test('demo-data writes the sites and labels, and its JSON summary agrees with the label files', async () => {
  const root = await mkdtemp(join(tmpdir(), 'fedcl-cli-demo-'));
  try {
    const io = capture();
    const code = await main(['demo-data', '--out', root, '--sites', '2', '--per-site', '12', '--size', '48', '--seed', '3', '--json'], io);
    assert.equal(code, 0, io.err);
    const summary = JSON.parse(io.out) as { sites: { id: string; images: number; anomalies: number }[]; train: { images: number; anomalies: number }; test: { images: number; anomalies: number } };
    assert.deepEqual(summary.sites.map((s) => [s.id, s.images]), [['site-1', 12], ['site-2', 12]]);
    const rows = async (name: string) => (await readFile(join(root, 'labels', name), 'utf8')).trim().split('\n').slice(1);
    const train = await rows('train.csv');
    const testRows = await rows('test.csv');
    assert.equal(train.length, summary.train.images);
    assert.equal(testRows.length, summary.test.images);
    assert.equal(train.filter((l) => l.endsWith(',1')).length, summary.train.anomalies);
    assert.equal(testRows.filter((l) => l.endsWith(',1')).length, summary.test.anomalies);
    assert.match(train[0]!, /^\.\.\/site-\d\/P\d{4}\/ST\d\/SE1\/IM\d\.dcm,[01]$/);
    assert.match(io.err, /demo-data: 24 images in/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('demo-data refuses a missing --out and bad numbers with the usage', async () => {
  const a = capture();
  assert.equal(await main(['demo-data'], a), 2);
  assert.match(a.err, /--out DIR is required[\s\S]*Usage: fedcl demo-data/);
  const b = capture();
  assert.equal(await main(['demo-data', '--out', '/tmp/x', '--sites', '0'], b), 2);
  assert.match(b.err, /--sites must be a number in \[1, 64\]/);
  const c = capture();
  assert.equal(await main(['demo-data', '--out', '/tmp/x', '--size', '100.5'], c), 2);
  assert.match(c.err, /--size must be an integer/);
});
