import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseFederationConfig } from '@fedcl/server';
import { main } from '../main.js';
import { loadFederationConfig } from './coordinator.js';

const example = fileURLToPath(new URL('../../../../../configs/federation.yaml', import.meta.url));

test('configs/federation.yaml is valid and its relative paths resolve against the file', () => {
  const c = parseFederationConfig(loadFederationConfig(example));
  assert.equal(c.federation, 'demo');
  assert.equal(c.store, resolve(example, '../../runs/coordinator'));
  assert.equal(c.rounds.minSites, 2);
  assert.equal(c.update.dtype, 'fp16');
  assert.deepEqual(c.model.policy.exclude, ['**/batch_normalization*/**', '**/moving_mean', '**/moving_variance']);
  assert.equal(c.aggregator.name, 'fedavg');
});

test('a bad config value is refused naming the field', () => {
  assert.throws(() => parseFederationConfig({ rounds: { minSites: 0 } }), /config\.rounds\.minSites/);
  assert.throws(() => parseFederationConfig({ aggregator: { name: 'fedadam', beta1: 2 } }), /config\.aggregator/);
  assert.throws(() => parseFederationConfig({ unknownKey: 1 }), /config/);
  assert.equal((parseFederationConfig({ aggregator: { name: 'fedadam' } }).aggregator as { tau: number }).tau, 1e-3);
});

test('fedcl coordinator start serves /health until SIGINT; fedcl coordinator token writes a token', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedcl-cli-'));
  try {
    let out = '';
    const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => true } };
    const running = main(['coordinator', 'start', '--config', example, '--port', '0', '--store', dir, '--json'], io);
    for (let i = 0; i < 100 && !out.includes('\n'); i++) await new Promise((r) => setTimeout(r, 50));
    const info = JSON.parse(out) as { url: string; federation: string; model: number | null };
    assert.equal(info.federation, 'demo');
    assert.equal(info.model, null);
    const health = (await (await fetch(`${info.url}/health`)).json()) as { status: string; federation: string };
    assert.deepEqual([health.status, health.federation], ['ok', 'demo']);
    process.emit('SIGINT');
    assert.equal(await running, 0);

    let token = '';
    const code = await main(['coordinator', 'token', '--config', example, '--store', dir, '--site', 'site-a'], { stdout: { write: (s: string) => (token += s) }, stderr: { write: () => true } });
    assert.equal(code, 0);
    assert.match(token.trim(), /^[A-Za-z0-9_-]{32}$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
