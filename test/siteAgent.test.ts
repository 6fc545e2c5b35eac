import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { exportPublicJwk, generateSigningKeyPair, importSigningPrivateKey, issueSiteToken } from '@fedcl/protocol';
import { startCoordinator, type Coordinator } from '@fedcl/server';
import { initBackend } from '@fedcl/ssl';
import { SiteAgent, SiteAgentError, type SiteRoundReport } from '../packages/client/src/site/agent.js';
import { enrolSite, loadIdentity, type SiteIdentity } from '../packages/client/src/site/identity.js';
import { initialWeights } from '../packages/client/src/site/localModel.js';
import { openSiteData } from '../packages/client/src/site/siteData.js';
import { trainingSpec } from '../packages/client/src/site/trainingSpec.js';
import { SIMULATION_POLICY } from '../packages/client/src/simulate/simulate.js';
import { daikonSlices } from '../packages/ssl/src/eval/testing/mrHalfTask.js';

// The real SiteAgent against a real coordinator on 127.0.0.1: tiny model and data, so each
// round is a few steps; what is tested is the connection, not the learning.

await initBackend();

const TRAINING = { method: 'simclr', arch: 'smallcnn', width: 4, inputSize: 16, batchSize: 4, localEpochs: 1, learningRate: 1e-3, seed: 3 };
const SPEC = trainingSpec(TRAINING);

interface Harness {
  root: string;
  store: string;
  dataDir: string;
  remove(): void;
}

function harness(): Harness {
  const root = mkdtempSync(join(tmpdir(), 'fedcl-agent-'));
  const dataDir = join(root, 'data');
  mkdirSync(dataDir);
  for (const f of daikonSlices().slice(0, 6)) copyFileSync(f, join(dataDir, basename(f)));
  return { root, store: join(root, 'coordinator'), dataDir, remove: () => rmSync(root, { recursive: true, force: true }) };
}

function coordinator(h: Harness, o: { port?: number; total?: number; minSites?: number; ttlSeconds?: number } = {}): Promise<Coordinator> {
  return startCoordinator(
    {
      federation: 'agent-test',
      listen: { host: '127.0.0.1', port: o.port ?? 0 },
      store: h.store,
      adminToken: 'admin-token-for-agent-tests-0123',
      model: { policy: SIMULATION_POLICY },
      rounds: { total: o.total ?? 1, minSites: o.minSites ?? 1, fraction: 1, quorumFraction: 1, minUpdates: 1, deadlineSeconds: 120 },
      update: { kind: 'delta', dtype: 'fp32' },
      training: TRAINING,
      ...(o.ttlSeconds ? { tokens: { ttlSeconds: o.ttlSeconds } } : {}),
    },
    { initialWeights: initialWeights(SPEC, SIMULATION_POLICY) },
  );
}

async function enrol(h: Harness, c: Coordinator, name = 'site-a'): Promise<{ identity: SiteIdentity; dir: string }> {
  const dir = join(h.root, `identity-${name}`);
  const identity = await enrolSite({ coordinatorUrl: c.url, token: c.createEnrolmentToken({ name }).token, name, dir });
  return { identity, dir };
}

function agent(h: Harness, identity: SiteIdentity, identityDir: string, extra: { chunkSize?: number } = {}): Promise<{ agent: SiteAgent; logs: string[]; rounds: SiteRoundReport[] }> {
  return openSiteData({ dir: h.dataDir, workDir: join(h.root, 'work') }).then((data) => {
    const logs: string[] = [];
    const rounds: SiteRoundReport[] = [];
    const a = new SiteAgent({
      identity,
      identityDir,
      data,
      backend: 'test',
      log: (line) => {
        logs.push(line);
        if (process.env.FEDCL_TEST_VERBOSE) console.error(`[agent] ${line}`);
      },
      onRound: (r) => rounds.push(r),
      backoff: { initialMs: 100, maxMs: 400 },
      ...extra,
    });
    return { agent: a, logs, rounds };
  });
}

async function until(what: string, cond: () => boolean, timeoutMs = 20000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Counts update.chunk requests a coordinator stored (and acked), by wrapping its round controller. */
function countChunks(c: Coordinator, after?: (n: number) => void): { n: number } {
  const counter = { n: 0 };
  const original = c.controller.chunk.bind(c.controller);
  c.controller.chunk = async (siteId, msg) => {
    const ack = await original(siteId, msg);
    counter.n++;
    after?.(counter.n);
    return ack;
  };
  return counter;
}

test('the coordinator restarts mid-upload: the agent reconnects with backoff, resumes from the chunks already held, and the round publishes its update', { timeout: 60000 }, async () => {
  const h = harness();
  let c1: Coordinator | undefined;
  let c2: Coordinator | undefined;
  let a: SiteAgent | undefined;
  try {
    c1 = await coordinator(h);
    const port = c1.port;
    const { identity, dir } = await enrol(h, c1);
    const run = await agent(h, identity, dir, { chunkSize: 1024 });
    a = run.agent;
    let closing: Promise<void> | undefined;
    const first = countChunks(c1, (n) => {
      // Go away after the second chunk is durably stored, before the upload finishes.
      if (n === 2) closing = c1!.close();
    });
    const running = a.run();
    await until('the coordinator to go away mid-upload', () => closing !== undefined);
    await closing;
    c2 = await coordinator(h, { port });
    const second = countChunks(c2);
    await c2.waitForRound(1, 'published', 30000);
    await until('the agent to report round 1', () => run.rounds.length === 1);

    const accepted = c2.store.acceptedUpdates(1);
    assert.equal(accepted.length, 1);
    assert.equal(accepted[0]!.siteId, identity.enrolment.siteId);
    const total = accepted[0]!.chunks;
    assert.ok(total >= 4, `the update spans several 1 KiB chunks (${total})`);
    assert.ok(first.n >= 2 && first.n < total, `first coordinator stored ${first.n} of ${total} chunks`);
    assert.equal(second.n, total - first.n, 'after the restart only the chunks the coordinator lacked were sent');
    const published = c2.store.getModel(1)!;
    assert.deepEqual(published.manifest.sites.map((s) => s.site), [identity.enrolment.siteId]);
    assert.equal(run.rounds[0]!.outcome, 'accepted');
    assert.ok(run.logs.some((l) => /disconnected/.test(l)), run.logs.join('\n'));
    // Retries back off: the first after backoff.initialMs, each later one twice as long, capped.
    const delays = run.logs.flatMap((l) => /^upload interrupted .*; resuming in (\d+) ms$/.exec(l)?.slice(1).map(Number) ?? []);
    assert.ok(delays.length >= 1, run.logs.join('\n'));
    assert.deepEqual(delays, delays.map((_, i) => Math.min(100 * 2 ** i, 400)));
    a.stop();
    await running;
  } finally {
    a?.stop();
    await c1?.close();
    await c2?.close();
    h.remove();
  }
});

test('an internal error at the coordinator is not the update\'s fault: the agent resumes the upload and the round publishes it', { timeout: 60000 }, async () => {
  const h = harness();
  let c: Coordinator | undefined;
  let a: SiteAgent | undefined;
  try {
    c = await coordinator(h);
    const { identity, dir } = await enrol(h, c);
    const run = await agent(h, identity, dir);
    a = run.agent;
    // The first commit fails inside the coordinator (a plain Error, refused as 'internal').
    const commit = c.controller.commit.bind(c.controller);
    let failures = 0;
    c.controller.commit = async (siteId, msg) => {
      if (failures++ === 0) throw new Error('disk I/O error');
      return commit(siteId, msg);
    };
    const running = a.run();
    await c.waitForRound(1, 'published', 30000);
    await until('the agent to report round 1', () => run.rounds.length === 1);
    assert.equal(failures, 2, 'one failed commit, one that went through');
    assert.equal(run.rounds[0]!.outcome, 'accepted');
    assert.equal(c.store.acceptedUpdates(1).length, 1);
    assert.ok(run.logs.some((l) => /upload interrupted \(the coordinator failed internally: internal error: disk I\/O error\); resuming in 100 ms/.test(l)), run.logs.join('\n'));
    a.stop();
    await running;
  } finally {
    a?.stop();
    await c?.close();
    h.remove();
  }
});

test('a revoked site: run() rejects with site.revoked / token.revoked, and the coordinator audits the refusal', { timeout: 30000 }, async () => {
  const h = harness();
  let c: Coordinator | undefined;
  let a: SiteAgent | undefined;
  try {
    // Two sites needed to open a round: this one stays connected and idle.
    c = await coordinator(h, { minSites: 2 });
    const { identity, dir } = await enrol(h, c);
    const siteId = identity.enrolment.siteId;
    const run = await agent(h, identity, dir);
    a = run.agent;
    const running = a.run();
    await until('the agent to connect', () => c!.store.listAudit().some((e) => e.action === 'socket.connect' && e.outcome === 'ok' && e.actor === `site:${siteId}`));
    c.revokeSite(siteId, 'site key reported stolen');
    const err = await running.then(
      () => assert.fail('run() resolved after revocation'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof SiteAgentError, String(err));
    assert.ok(['site.revoked', 'token.revoked'].includes(err.code), err.code);
    assert.match(err.message, /revoked/);
    assert.match(err.message, /site key reported stolen/);
    const refused = c.store.listAudit({ outcome: 'refused' });
    assert.ok(
      refused.some((e) => e.action === 'socket.connect' && (e.code === 'token.revoked' || e.code === 'site.revoked')),
      `audit: ${JSON.stringify(refused)}`,
    );
  } finally {
    a?.stop();
    await c?.close();
    h.remove();
  }
});

test('a revoked site holding an expired token: the refresh is refused and run() rejects with site.revoked', { timeout: 30000 }, async () => {
  const h = harness();
  let c: Coordinator | undefined;
  let a: SiteAgent | undefined;
  try {
    c = await coordinator(h, { minSites: 2 });
    const { identity, dir } = await enrol(h, c);
    const siteId = identity.enrolment.siteId;
    // A token of this coordinator that expired an hour ago, as after a long outage.
    const signingKey = await importSigningPrivateKey(JSON.parse(readFileSync(join(h.store, 'keys', 'signing.jwk.json'), 'utf8')));
    const stale = await issueSiteToken(signingKey, {
      issuer: 'fedcl:agent-test', audience: 'fedcl:agent-test/sites', siteId, keyThumbprint: c.store.getSite(siteId)!.jkt, ttlSeconds: 60, now: Math.floor(Date.now() / 1000) - 3600,
    });
    identity.enrolment = { ...identity.enrolment, accessToken: stale.token, expiresAt: stale.expiresAt };
    c.revokeSite(siteId, 'decommissioned');
    const run = await agent(h, identity, dir);
    a = run.agent;
    const err = await a.run().then(
      () => assert.fail('run() resolved for a revoked site'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof SiteAgentError, String(err));
    assert.equal(err.code, 'site.revoked');
    assert.match(err.message, /refresh refused \(HTTP 403\).*revoked.*decommissioned/);
    const refused = c.store.listAudit({ outcome: 'refused' });
    assert.ok(refused.some((e) => e.action === 'socket.connect' && e.code === 'token.expired'), JSON.stringify(refused));
    assert.ok(refused.some((e) => e.action === 'POST /token' && e.code === 'site.revoked'), JSON.stringify(refused));
  } finally {
    a?.stop();
    await c?.close();
    h.remove();
  }
});

test('a manifest not signed by the enrolled coordinator key is refused: logged, nothing trained or sent', { timeout: 30000 }, async () => {
  const h = harness();
  let c: Coordinator | undefined;
  let a: SiteAgent | undefined;
  try {
    c = await coordinator(h);
    const { dir } = await enrol(h, c);
    // The site pinned another coordinator key: every manifest from this coordinator is foreign.
    const file = join(dir, 'enrolment.json');
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    saved.enrolment.coordinator.signingKey = await exportPublicJwk((await generateSigningKeyPair()).publicKey);
    writeFileSync(file, JSON.stringify(saved));
    const identity = await loadIdentity(dir);
    const run = await agent(h, identity, dir);
    a = run.agent;
    const running = a.run();
    await until('the refusal to be logged', () => run.logs.some((l) => /^round 1 failed: manifest\.bad_signature: .*signature/.test(l)));
    // Give a wrongly continuing agent time to upload before checking it did not.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(run.rounds.length, 0);
    assert.equal(c.store.receivingUpdates(1).length + c.store.acceptedUpdates(1).length, 0);
    assert.ok(!c.store.listAudit().some((e) => e.action.startsWith('update.')), 'no update.* request reached the coordinator');
    assert.equal(c.store.getRound(1)!.status, 'training');
    a.stop();
    await running;
  } finally {
    a?.stop();
    await c?.close();
    h.remove();
  }
});

test('short-lived tokens: after expiry the agent refreshes, reconnects and serves the next round', { timeout: 60000 }, async () => {
  const h = harness();
  let c1: Coordinator | undefined;
  let c2: Coordinator | undefined;
  let a: SiteAgent | undefined;
  try {
    c1 = await coordinator(h, { ttlSeconds: 30 });
    const port = c1.port;
    const { identity, dir } = await enrol(h, c1);
    const firstToken = identity.enrolment.accessToken;
    const run = await agent(h, identity, dir);
    a = run.agent;
    const running = a.run();
    await c1.waitForRound(1, 'published', 30000);
    // Wait the token out, then restart with one more round: the reconnect meets an expired token.
    const expiresAt = identity.enrolment.expiresAt * 1000;
    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now()) + 1500));
    await c1.close();
    c2 = await coordinator(h, { port, total: 2, ttlSeconds: 30 });
    await c2.waitForRound(2, 'published', 30000);
    await until('the agent to report round 2', () => run.rounds.length === 2);

    assert.notEqual(identity.enrolment.accessToken, firstToken, 'the access token was refreshed');
    assert.ok(identity.enrolment.expiresAt * 1000 > Date.now(), 'the new token is valid');
    const saved = JSON.parse(readFileSync(join(dir, 'enrolment.json'), 'utf8'));
    assert.equal(saved.enrolment.accessToken, identity.enrolment.accessToken, 'the refreshed token is saved in the identity');
    const audit = c2.store.listAudit();
    assert.ok(audit.some((e) => e.action === 'socket.connect' && e.code === 'token.expired'), 'the expired token was refused at the handshake');
    assert.ok(audit.some((e) => e.action === 'token.refresh' && e.outcome === 'ok' && e.actor === `site:${identity.enrolment.siteId}`));
    assert.deepEqual(run.rounds.map((r) => [r.round, r.outcome]), [[1, 'accepted'], [2, 'accepted']]);
    assert.deepEqual(c2.store.getModel(2)!.manifest.sites.map((s) => s.site), [identity.enrolment.siteId]);
    a.stop();
    await running;
  } finally {
    a?.stop();
    await c1?.close();
    await c2?.close();
    h.remove();
  }
});
