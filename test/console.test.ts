import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { io as socketClient } from 'socket.io-client';
import { decodeWeights, type NamedTensors } from '@fedcl/protocol';
import type { Coordinator } from '../packages/server/src/coordinator.js';
import { FakeSite, shifted } from '../packages/server/src/testing/fakeSite.js';
import { tempStore, testCoordinator } from '../packages/server/src/testing/testCoordinator.js';

const CHROMIUM = process.env.FEDCL_CHROMIUM ?? '/usr/bin/chromium';
const PASSWORD = 'correct horse battery staple';
// Screenshots go to docs/console only when asked (FEDCL_UPDATE_SCREENSHOTS=1): a test run must not
// rewrite tracked files. They are taken either way, so every view is rendered.
const SHOTS = process.env.FEDCL_UPDATE_SCREENSHOTS === '1' ? join(import.meta.dirname, '..', 'docs', 'console') : mkdtempSync(join(tmpdir(), 'fedcl-console-shots-'));

let c: Coordinator;
let store: { dir: string; remove: () => void };
let browser: Browser;
let page: Page;
let north: FakeSite;
let south: FakeSite;
const userData = mkdtempSync(join(tmpdir(), 'fedcl-chromium-'));
const downloads = mkdtempSync(join(tmpdir(), 'fedcl-dl-'));
const requested: string[] = [];

before(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`the console browser tests need Chromium at ${CHROMIUM}: apt-get install chromium (or set FEDCL_CHROMIUM)`);
  store = tempStore();
  c = await testCoordinator(store.dir, { console: { password: PASSWORD }, rounds: { total: 5, minSites: 2, minUpdates: 1, deadlineSeconds: 120 } });
  north = await FakeSite.enrol(c.url, 'north', c.createEnrolmentToken({ name: 'north' }).token);
  south = await FakeSite.enrol(c.url, 'south', c.createEnrolmentToken({ name: 'south' }).token);
  // launchPersistentContext takes the fresh profile directory; Playwright never downloads a browser here.
  const context = await chromium.launchPersistentContext(userData, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1360, height: 860 },
    acceptDownloads: true,
    downloadsPath: downloads,
  });
  browser = context.browser()!;
  page = context.pages()[0] ?? (await context.newPage());
  page.on('request', (r) => requested.push(r.url()));
  mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  north?.disconnect();
  south?.disconnect();
  await page?.context().close();
  await browser?.close();
  await c?.close();
  store?.remove();
  rmSync(userData, { recursive: true, force: true });
  rmSync(downloads, { recursive: true, force: true });
  if (process.env.FEDCL_UPDATE_SCREENSHOTS !== '1') rmSync(SHOTS, { recursive: true, force: true });
});

const shot = (name: string, fullPage = true) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
const view = async (id: string) => {
  await page.click(`nav a[data-view="${id}"]`);
  await page.waitForSelector(`nav a.active[data-view="${id}"]`);
};

/** One site's update for the open round, with metrics the charts should show. */
async function report(site: FakeSite, round: number, samples: number, metrics: Record<string, number>) {
  const start = await site.roundStartFor(round);
  const { weights } = await site.globalModel(start);
  const delta: NamedTensors = new Map([...shifted(weights, 0.01 * round)].map(([n, t]) => [n, { shape: t.shape, data: t.data.map((v, i) => v - weights.get(n)!.data[i]!) }]));
  const reply = await site.upload(await site.prepare(start, delta, { samples, metrics, backend: 'wasm' }));
  assert.equal(reply.type, 'update.ack', JSON.stringify(reply));
}

test('only the sign-in page and /health are anonymous', async () => {
  for (const path of ['/console/api/state', '/console/api/sites', '/console/api/audit', '/console/api/models/0/download?format=safetensors', '/console/assets/app.js']) {
    const r = await fetch(`${c.url}${path}`);
    assert.equal(r.status, 401, path);
  }
  const page1 = await fetch(`${c.url}/console/`, { redirect: 'manual' });
  assert.equal(page1.status, 302);
  assert.equal(page1.headers.get('location'), '/console/signin');
  assert.equal((await fetch(`${c.url}/health`)).status, 200);
  assert.equal((await fetch(`${c.url}/console/signin`)).status, 200);
  const refused = await new Promise<string>((resolve) => {
    const s = socketClient(`${c.url}/console`, { transports: ['websocket'], reconnection: false, forceNew: true });
    s.on('connect', () => (s.close(), resolve('connected')));
    s.on('connect_error', (e) => (s.close(), resolve(e.message)));
  });
  assert.match(refused, /sign in to the console first/);
});

test('a wrong password is refused with a clear message and audited', async () => {
  await page.goto(`${c.url}/console/`);
  await page.waitForURL('**/console/signin');
  await page.fill('#password', 'not the password');
  await page.click('button[type=submit]');
  await page.waitForSelector('#signin-error:not([hidden])');
  await shot('signin');
  assert.equal(await page.textContent('#signin-error'), 'wrong operator password');
  const a = c.store.searchAudit({ action: 'console.signin', outcome: 'refused' });
  assert.equal(a.length, 1);
  assert.equal(a[0]!.code, 'console.password');
});

test('sign in, see both sites, and watch a round complete live', async () => {
  await page.fill('#password', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL('**/console/');
  const cookie = (await page.context().cookies()).find((k) => k.name === 'fedcl_console')!;
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Strict');
  await page.waitForSelector('#live[data-live="yes"]');
  assert.equal(await page.textContent('#federation-name'), 'test');
  // Marks this document: if anything below reloaded the page, the mark would be gone.
  await page.evaluate(() => ((window as unknown as { fedclMark: number }).fedclMark = 42));

  await view('sites');
  await page.waitForSelector('#sites-table tr[data-site="north"][data-status="offline"]');
  await north.connect();
  await south.connect();
  // Both connected: round 1 opens and selects both; the page learns it by push, not by reload.
  await page.waitForSelector('#sites-table tr[data-site="north"][data-status="training"]');
  await page.waitForSelector('#sites-table tr[data-site="south"][data-status="training"]');

  await view('rounds');
  await page.waitForSelector('#current-round[data-round="1"][data-status="training"]');
  // A replayed-looking update (another round's nonce) is refused; the round lists it with its reason.
  const start1 = await north.roundStartFor(1);
  const { weights: g0 } = await north.globalModel(start1);
  const wrong = await north.upload(await north.prepare(start1, shifted(g0, 0), { samples: 5, nonce: 'AAAAAAAAAAAAAAAAAAAAAA' }));
  assert.equal(wrong.code, 'round.nonce_mismatch', JSON.stringify(wrong));
  await page.waitForFunction(() => document.querySelector('#rounds-table tr[data-round="1"] td.failures')?.textContent?.includes('round.nonce_mismatch'));
  assert.match((await page.textContent('#rounds-table tr[data-round="1"] td.failures'))!, /north round\.nonce_mismatch: the nonce does not match round 1/);
  await report(north, 1, 120, { loss: 2.5, knnAccuracy: 0.55 });
  await page.waitForFunction(() => document.querySelector('#current-participants')?.textContent?.startsWith('1 of 2'));
  await report(south, 1, 40, { loss: 3.1, knnAccuracy: 0.5 });
  await page.waitForSelector('#rounds-table tr[data-round="1"][data-status="published"]');
  // Round 2 at once, on version 1.
  await page.waitForSelector('#current-round[data-round="2"][data-status="training"]');
  await report(north, 2, 120, { loss: 2.0, knnAccuracy: 0.62 });
  await report(south, 2, 40, { loss: 2.6, knnAccuracy: 0.58 });
  await page.waitForSelector('#rounds-table tr[data-round="2"][data-status="published"]');
  await page.waitForSelector('#current-round[data-round="3"][data-status="training"]');
  const row1 = await page.textContent('#rounds-table tr[data-round="1"]');
  assert.match(row1!, /north \(120\), south \(40\)/);
  const bytesIn = c.store.acceptedUpdates(1).reduce((a, u) => a + u.bytes, 0);
  assert.ok(bytesIn > 0);
  assert.ok(row1!.includes(`${bytesIn} B`) || /KiB/.test(row1!), `row shows the round's ${bytesIn} bytes in: ${row1}`);
  await shot('rounds');

  await view('sites');
  await page.waitForSelector('#sites-table tr[data-site="north"][data-status="training"]');
  const northRow = (await page.textContent('#sites-table tr[data-site="north"]'))!;
  for (const want of ['120', 'wasm', 'v1', 'loss 2', 'knnAccuracy 0.62']) assert.ok(northRow.includes(want), `north row shows ${want}: ${northRow}`);
  await shot('sites');

  // Charts: the sample-weighted federation loss of round 1, computed here from what the sites sent.
  const series = (await page.evaluate(() => fetch('/console/api/metrics').then((r) => r.json()))) as { metrics: string[]; rounds: { round: number; global: Record<string, number>; sites: Record<string, Record<string, number>> }[] };
  assert.deepEqual(series.metrics, ['knnAccuracy', 'loss']);
  assert.ok(Math.abs(series.rounds[0]!.global.loss! - (120 * 2.5 + 40 * 3.1) / 160) < 1e-9);
  assert.ok(Math.abs(series.rounds[1]!.global.knnAccuracy! - (120 * 0.62 + 40 * 0.58) / 160) < 1e-9);
  assert.equal(series.rounds[1]!.sites.south!.loss, 2.6);
  await view('charts');
  await page.waitForSelector('figure[data-metric="loss"] canvas');
  await page.waitForSelector('figure[data-metric="knnAccuracy"] canvas');
  await shot('charts');
  assert.equal(await page.evaluate(() => (window as unknown as { fedclMark?: number }).fedclMark), 42, 'every update above arrived without a reload');
  const foreign = requested.filter((u) => !u.startsWith(`${c.url}/`) && !u.startsWith(c.url.replace('http', 'ws')));
  assert.ok(requested.some((u) => u.endsWith('/console/assets/app.js')), 'requests were recorded');
  assert.deepEqual(foreign, [], 'the console loads nothing from outside the coordinator (no CDN)');
});

test('a model version shows its provenance and downloads as safetensors and tfjs', async () => {
  await view('models');
  await page.click('#models-table tr[data-version="2"]');
  await page.waitForSelector('#model-detail[data-version="2"]');
  const text = (await page.textContent('#model-detail'))!;
  for (const want of ['Parentsv1', 'Samples160', c.store.getModel(2)!.manifest.configHash, 'ES256']) assert.ok(text.includes(want), `detail shows ${want}`);
  await shot('models');

  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#model-detail a[data-format="safetensors"]')]);
  assert.equal(dl.suggestedFilename(), 'test-v2.safetensors');
  const bytes = readFileSync((await dl.path())!);
  // Read back by the format's definition; compare with the stored FCLW weights of version 2.
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const stored = decodeWeights(c.store.blobs.get(c.store.getModel(2)!.sha256));
  assert.deepEqual(Object.keys(header).filter((k) => k !== '__metadata__').sort(), [...stored.keys()].sort());
  for (const [name, t] of stored) {
    const h = header[name]!;
    assert.equal(h.dtype, 'F32');
    assert.deepEqual(h.shape, t.shape);
    const slice = bytes.subarray(8 + n + h.data_offsets[0], 8 + n + h.data_offsets[1]);
    assert.deepEqual(new Float32Array(slice.buffer.slice(slice.byteOffset, slice.byteOffset + slice.byteLength)), t.data, name);
  }

  const [tf] = await Promise.all([page.waitForEvent('download'), page.click('#model-detail a[data-format="tfjs"]')]);
  assert.equal(tf.suggestedFilename(), 'test-v2-tfjs.tar');
  assert.deepEqual(execFileSync('tar', ['-tf', (await tf.path())!], { encoding: 'utf8' }).trim().split('\n'), ['model.json', 'weights.bin', 'manifest.jws']);
  const logged = c.store.searchAudit({ action: 'model.download', actor: 'operator' }).map((a) => a.detail.format);
  assert.deepEqual(logged, ['tfjs', 'safetensors']);
});

test('pause and start the federation, and change round settings within bounds', async () => {
  await view('federation');
  await page.click('#pause-button');
  await page.waitForSelector('#run-badge.paused');
  assert.ok(c.controller.paused);
  await page.fill('#settings-form input[name="deadlineSeconds"]', '1');
  await page.click('#settings-form button[type=submit]');
  await page.waitForSelector('#settings-error');
  assert.match((await page.textContent('#settings-error'))!, /deadlineSeconds/);
  assert.equal(c.config.rounds.deadlineSeconds, 120, 'a refused change changes nothing');
  await page.fill('#settings-form input[name="deadlineSeconds"]', '300');
  await page.click('#settings-form button[type=submit]');
  await page.waitForSelector('#settings-saved');
  assert.equal(c.config.rounds.deadlineSeconds, 300);
  await shot('federation');
  // Paused: round 3, already training, runs to its end, but no round 4 opens.
  await report(north, 3, 120, { loss: 1.8, knnAccuracy: 0.66 });
  await report(south, 3, 40, { loss: 2.3, knnAccuracy: 0.6 });
  await c.waitForRound(3, 'published');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(c.store.getRound(4)?.status, 'waiting');
  await page.click('#start-button');
  await page.waitForSelector('#run-badge.running');
  await c.waitForRound(4, 'training');
  const r4 = c.store.getRound(4)!;
  const left = Date.parse(r4.deadline!) - Date.now();
  assert.ok(left > 290_000 && left <= 300_000, `round 4 uses the new 300 s deadline (${left} ms left)`);
});

test('revoking a site from the console: its next message is refused, and the audit log shows it', async () => {
  await view('sites');
  await page.click('#sites-table tr[data-site="south"] button[data-action="revoke"]');
  await page.fill('#sites-table tr[data-site="south"] input[name="reason"]', 'key leaked');
  await page.click('#sites-table tr[data-site="south"] button[data-action="confirm-revoke"]');
  await page.waitForSelector('#sites-table tr[data-site="south"][data-status="revoked"]');
  assert.match((await page.textContent('#sites-table tr[data-site="south"]'))!, /key leaked/);
  // The coordinator closed its connection; reconnecting and refreshing its token are refused.
  await assert.rejects(south.connect(), /revoked/);
  const refresh = await south.refreshToken();
  assert.equal(refresh.status, 403);
  assert.equal(refresh.body.code, 'site.revoked');
  await page.waitForSelector('#sites-table tr[data-site="north"][data-status="training"]');

  await view('audit');
  await page.fill('#audit-filter input[name="action"]', 'socket.connect');
  await page.selectOption('#audit-filter select[name="outcome"]', 'refused');
  await page.click('#audit-filter button[type=submit]');
  // The unfiltered table already holds such a row: wait for the filtered one to replace it.
  await page.waitForFunction(() => {
    const trs = Array.from(document.querySelectorAll('#audit-table tbody tr'));
    return trs.length > 0 && trs.every((tr) => tr.getAttribute('data-action') === 'socket.connect' && tr.getAttribute('data-outcome') === 'refused');
  });
  const rows = await page.$$eval('#audit-table tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-action') + ' ' + tr.getAttribute('data-outcome')));
  assert.ok(rows.length >= 1 && rows.every((r) => r === 'socket.connect refused'), rows.join('; '));
  assert.match((await page.textContent('#audit-table tbody'))!, /revoked/);
  await page.fill('#audit-filter input[name="action"]', '');
  await page.selectOption('#audit-filter select[name="outcome"]', '');
  await page.click('#audit-filter button[type=submit]');
  await page.waitForSelector('#audit-table tr[data-action="site.revoke"]');
  for (const action of ['round.start', 'round.aggregating', 'model.published', 'site.enrol', 'model.download', 'console.signin']) {
    assert.ok(await page.$(`#audit-table tr[data-action="${action}"]`), `the audit log lists ${action}`);
  }
  await shot('audit', false);
});

test('sign-in is rate-limited after five wrong passwords', async () => {
  const attempt = () => fetch(`${c.url}/console/api/signin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: 'guess' }) });
  for (let i = 0; i < 5; i++) assert.equal((await attempt()).status, 401);
  const r = await attempt();
  assert.equal(r.status, 429);
  assert.ok(Number(r.headers.get('retry-after')) > 0);
  assert.match(((await r.json()) as { message: string }).message, /too many wrong passwords/);
});
