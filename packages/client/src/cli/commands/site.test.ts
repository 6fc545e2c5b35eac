import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../main.js';

function capture() {
  const io = { out: '', err: '', stdout: { write: (s: string) => (io.out += s) }, stderr: { write: (s: string) => (io.err += s) } };
  return io;
}

test('site run: a token starting with "-" is read as a value with --token=…; missing flags are a usage error', async () => {
  const io = capture();
  assert.equal(await main(['site', 'run', '--coordinator=http://127.0.0.1:9', '--name=a', '--token=-dashLeadingToken'], io), 2);
  assert.match(io.err, /give --config site\.yaml, or --coordinator, --name and --data/);
  assert.doesNotMatch(io.err, /ambiguous/);
});

test('site run refuses a missing config file and an empty identity without a token, naming what to do', async () => {
  const a = capture();
  assert.equal(await main(['site', 'run', '--config', '/nonexistent/site.yaml'], a), 1);
  assert.match(a.err, /SiteConfigError: cannot read \/nonexistent\/site\.yaml/);
  const dir = mkdtempSync(join(tmpdir(), 'fedcl-site-cli-'));
  const b = capture();
  assert.equal(await main(['site', 'run', '--coordinator=http://127.0.0.1:9', '--name=a', `--data=${dir}`, `--identity=${join(dir, 'id')}`], b), 2);
  assert.match(b.err, /holds no enrolment: run 'fedcl site enrol' or give an enrolment token/);
});

test('site enrol reports an unreachable coordinator clearly', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedcl-site-enrol-'));
  const io = capture();
  assert.equal(await main(['site', 'enrol', '--coordinator', 'http://127.0.0.1:9', '--token', 'x'.repeat(20), '--name', 'a', '--identity', join(dir, 'id')], io), 1);
  assert.match(io.err, /IdentityError: cannot reach the coordinator at http:\/\/127\.0\.0\.1:9\/enrol/);
});
