import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { decodeWeights, FederatedNames, type NamedTensors } from '@fedcl/protocol';
import { FakeSite, shifted } from './testing/fakeSite.js';
import { smallModel, tempStore, testCoordinator, TEST_POLICY } from './testing/testCoordinator.js';
import { Store } from './store/store.js';

const stores: (() => void)[] = [];
/** Disconnects update sites.last_seen_at; everything else must survive the restart byte for byte. */
const withoutLastSeen = (snapshot: string): string => JSON.stringify({ ...JSON.parse(snapshot), sites: undefined });
after(() => stores.forEach((r) => r()));

interface Down {
  url: string;
  port: number;
  tokens: string[];
  snapshot: () => string;
  /** Takes the coordinator down without finishing the round. */
  kill: () => Promise<void>;
}

/** In-process: close() stops listening and closes the store mid-round. */
async function inProcess(dir: string, overrides: Record<string, unknown>): Promise<Down> {
  const c = await testCoordinator(dir, overrides);
  return { url: c.url, port: c.port, tokens: [0, 1, 2].map(() => c.createEnrolmentToken().token), snapshot: () => c.store.snapshot(), kill: () => c.close() };
}

/** Another process, killed with SIGKILL: no close, no flush, no exit handler. */
async function childProcess(dir: string, overrides: Record<string, unknown>): Promise<Down> {
  const s = new Store(dir);
  const tokens = [0, 1, 2].map(() => s.createEnrolmentToken(undefined, 3600).token);
  s.close();
  const script = fileURLToPath(new URL('./testing/coordinatorProcess.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, dir, JSON.stringify(overrides)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const { url, port } = JSON.parse(line.toString()) as { url: string; port: number };
  return {
    url, port, tokens,
    snapshot: () => {
      const reader = new Store(dir);
      try {
        return reader.snapshot();
      } finally {
        reader.close();
      }
    },
    kill: async () => {
      child.kill('SIGKILL');
      await once(child, 'exit');
    },
  };
}

for (const [how, start] of [['closed in-process', inProcess], ['SIGKILLed (separate process)', childProcess]] as const) test(`${how} mid-round and restarted on the same store, the round completes with every acknowledged update`, async () => {
  const store = tempStore();
  stores.push(store.remove);
  const overrides = { rounds: { minSites: 3, total: 1, quorumFraction: 1 } };
  const down = await start(store.dir, overrides);
  const port = down.port;
  const sites: FakeSite[] = [];
  for (const [i, name] of ['site-a', 'site-b', 'site-c'].entries()) sites.push(await FakeSite.enrol(down.url, name, down.tokens[i]!));
  await Promise.all(sites.map((s) => s.connect()));
  const starts = await Promise.all(sites.map((s) => s.roundStart()));
  const names = new FederatedNames(TEST_POLICY);
  const global = names.select(smallModel());
  const samples = [120, 30, 50];
  const locals: NamedTensors[] = [0.05, -0.1, 0.2].map((d) => names.select(shifted(smallModel(), d)));

  for (const i of [0, 1]) {
    const ack = await sites[i]!.upload(await sites[i]!.prepare(starts[i]!, locals[i]!, { samples: samples[i]!, kind: 'weights' }));
    assert.equal(ack.type, 'update.ack');
    assert.equal(ack.accepted, i + 1);
  }
  // Site c is half-way through its upload when the coordinator goes down.
  const pc = await sites[2]!.prepare(starts[2]!, locals[2]!, { samples: samples[2]!, kind: 'weights', chunkSize: 64 });
  assert.ok(pc.chunks.length >= 4);
  const partial = await sites[2]!.upload(pc, { stopAfterChunks: 2 });
  assert.deepEqual(partial, { type: 'stopped', sent: 2 });
  const beforeCrash = down.snapshot();
  await down.kill();
  sites.forEach((s) => s.disconnect());

  const c = await testCoordinator(store.dir, { ...overrides, listen: { host: '127.0.0.1', port } }, undefined);
  try {
    assert.ok(withoutLastSeen(c.store.snapshot()) === withoutLastSeen(beforeCrash), 'restart changes nothing by itself');
    const r = c.store.getRound(1)!;
    assert.equal(r.status, 'training');
    assert.deepEqual(c.store.acceptedUpdates(1).map((u) => u.siteId), ['site-a', 'site-b']);
    await Promise.all(sites.map((s) => s.connect()));
    const again = await sites[2]!.roundStartFor(1);
    assert.equal(again.nonce, starts[2]!.nonce, 'the same round resumes, same nonce');
    // Resume: the coordinator reports the two chunks it has; the site sends only the rest.
    const ready = await sites[2]!.request<{ have: number[] }>('update.begin', pc.begin);
    assert.deepEqual(ready.have, [0, 1]);
    const ack = await sites[2]!.upload(pc);
    assert.equal(ack.type, 'update.ack', JSON.stringify(ack));
    await c.waitForRound(1, 'published');
    const m = c.store.getModel(1)!;
    assert.deepEqual(m.manifest.sites.map((s) => s.site), ['site-a', 'site-b', 'site-c']);
    const got = decodeWeights(c.store.blobs.get(m.sha256));
    const total = samples.reduce((x, y) => x + y, 0);
    for (const [name] of global) {
      got.get(name)!.data.forEach((v, k) => {
        const ref = samples.reduce((acc, n, i) => acc + n * locals[i]!.get(name)!.data[k]!, 0) / total;
        assert.ok(Math.abs(v - ref) < 1e-6, `${name}[${k}] ${v} vs ${ref}`);
      });
    }
  } finally {
    sites.forEach((s) => s.disconnect());
    await c.close();
  }
});
