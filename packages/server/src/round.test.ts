import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { decodeWeights, encodeWeights, FederatedNames, importSigningPublicKey, verifyManifest, type NamedTensors, type WeightDtype } from '@fedcl/protocol';
import { FakeSite, shifted } from './testing/fakeSite.js';
import { smallModel, tempStore, testCoordinator, TEST_POLICY } from './testing/testCoordinator.js';

const stores: (() => void)[] = [];
after(() => stores.forEach((r) => r()));

async function federation(n: number, overrides: Record<string, unknown> = {}) {
  const store = tempStore();
  stores.push(store.remove);
  const c = await testCoordinator(store.dir, overrides);
  const sites: FakeSite[] = [];
  for (let i = 0; i < n; i++) sites.push(await FakeSite.enrol(c.url, `site-${'abcdefgh'[i]}`, c.createEnrolmentToken().token));
  return { c, sites, store };
}

/** What the coordinator sees after the wire codec: the reference uses the same rounding. */
const onWire = (t: NamedTensors, dtype: WeightDtype): NamedTensors => decodeWeights(encodeWeights(t, dtype));

test('a 3-site round publishes the sample-weighted mean (delta and full-weight updates, fp32/fp16/int8)', async () => {
  const { c, sites } = await federation(3, { rounds: { minSites: 3 } });
  try {
    await Promise.all(sites.map((s) => s.connect()));
    const starts = await Promise.all(sites.map((s) => s.roundStart()));
    assert.equal(new Set(starts.map((s) => s.nonce)).size, 1);
    assert.equal(starts[0]!.round, 1);
    const { weights: global, manifest } = await sites[0]!.globalModel(starts[0]!);
    assert.equal(manifest.version, 0);
    assert.deepEqual([...global.keys()], ['encoder/conv1/kernel', 'encoder/conv1/bias'], 'FedBN and non-encoder tensors never enter the global model');

    const plan = [
      { kind: 'delta' as const, dtype: 'fp32' as const, samples: 100, shift: 0.01 },
      { kind: 'weights' as const, dtype: 'fp16' as const, samples: 300, shift: -0.02 },
      { kind: 'delta' as const, dtype: 'int8' as const, samples: 50, shift: 0.05 },
    ];
    const sent: NamedTensors[] = [];
    for (const [i, site] of sites.entries()) {
      const p = plan[i]!;
      const local = shifted(smallModel(), p.shift);
      local.set('encoder/conv1/kernel', { ...local.get('encoder/conv1/kernel')!, data: local.get('encoder/conv1/kernel')!.data.map((v, k) => (k === 0 ? v + i : v)) });
      const names = new FederatedNames(TEST_POLICY);
      const fed = names.select(local);
      const payload: NamedTensors = p.kind === 'delta' ? new Map([...fed].map(([n, t]) => [n, { shape: t.shape, data: t.data.map((v, k) => v - global.get(n)!.data[k]!) }])) : fed;
      sent.push(onWire(payload, p.dtype));
      const reply = await site.upload(await site.prepare(starts[i]!, payload, { samples: p.samples, kind: p.kind, dtype: p.dtype, chunkSize: 256 }));
      assert.equal(reply.type, 'update.ack', JSON.stringify(reply));
    }
    await c.waitForRound(1, 'published');
    const row = c.store.getModel(1)!;
    const m = await verifyManifest(row.jws, await importSigningPublicKey(c.publicKeys.signingKey), { minVersion: 1 });
    assert.deepEqual(m.parents, [0]);
    assert.equal(m.samples, 450);
    assert.deepEqual(m.sites.map((s) => [s.site, s.samples]), [['site-a', 100], ['site-b', 300], ['site-c', 50]]);

    const next = decodeWeights(c.store.blobs.get(row.sha256));
    for (const [name, g] of global) {
      const got = next.get(name)!.data;
      for (let k = 0; k < got.length; k++) {
        // Σ nᵢ·wᵢ / Σ nᵢ with wᵢ = global + deltaᵢ (or the full weights sent).
        let ref = 0;
        plan.forEach((p, i) => (ref += p.samples * (p.kind === 'delta' ? g.data[k]! + sent[i]!.get(name)!.data[k]! : sent[i]!.get(name)!.data[k]!)));
        ref /= 450;
        assert.ok(Math.abs(got[k]! - ref) < 1e-6, `${name}[${k}] ${got[k]} vs ${ref}`);
      }
    }
    // Round 2 opens at once for the same connected sites, on version 1.
    const start2 = await sites[1]!.roundStartFor(2);
    assert.deepEqual([start2.round, start2.globalVersion], [2, 1]);
    // model.published precedes the next round.start on the same ordered connection.
    const published = sites[1]!.events.filter((e) => e.event === 'model.published').map((e) => (e.message as { version: number }).version);
    assert.deepEqual(published, [1], 'every site is told of the new version');
  } finally {
    sites.forEach((s) => s.disconnect());
    await c.close();
  }
});

test('a site drops out: the round closes at quorum, and its late update is refused with the reason', async () => {
  const { c, sites } = await federation(3, { rounds: { minSites: 3, quorumFraction: 0.66 } });
  try {
    await Promise.all(sites.map((s) => s.connect()));
    const starts = await Promise.all(sites.map((s) => s.roundStart()));
    assert.equal(c.store.getRound(1)!.quorum, 2);
    const prepared = await sites[2]!.prepare(starts[2]!, shifted(smallModel(), 0), { samples: 5 });
    sites[2]!.disconnect();
    for (const i of [0, 1]) {
      const r = await sites[i]!.upload(await sites[i]!.prepare(starts[i]!, shifted(smallModel(), 0.1 * i), { samples: 10 + i, kind: 'weights' }));
      assert.equal(r.type, 'update.ack');
    }
    await c.waitForRound(1, 'published');
    assert.match(c.store.getRound(1)!.closeReason!, /quorum: 2 of 3/);
    assert.deepEqual(c.store.getModel(1)!.manifest.sites.map((s) => s.site), ['site-a', 'site-b']);
    await sites[2]!.connect();
    const reply = await sites[2]!.upload(prepared);
    assert.equal(reply.type, 'update.refused');
    assert.equal(reply.code, 'round.closed');
    assert.match(String(reply.message), /round 1 is published \(closed at quorum.*late updates are refused/);
  } finally {
    sites.forEach((s) => s.disconnect());
    await c.close();
  }
});

test('at the deadline a round aggregates what it has (≥ minUpdates) or fails', async () => {
  const { c, sites } = await federation(2, { rounds: { minSites: 2, minUpdates: 1, deadlineSeconds: 0.5 } });
  try {
    await Promise.all(sites.map((s) => s.connect()));
    const start = await sites[0]!.roundStart();
    await sites[1]!.roundStart();
    const r = await sites[0]!.upload(await sites[0]!.prepare(start, shifted(smallModel(), 0.2), { samples: 7, kind: 'weights' }));
    assert.equal(r.type, 'update.ack');
    await c.waitForRound(1, 'published', 5000);
    assert.match(c.store.getRound(1)!.closeReason!, /deadline .* with 1 of 2 updates/);
    // Round 2: nobody reports → failed, and round 3 opens.
    await c.waitForRound(2, 'failed', 5000);
    assert.match(c.store.getRound(2)!.closeReason!, /fewer than the 1 required/);
    assert.equal(c.store.getRound(3)!.status, 'training');
  } finally {
    sites.forEach((s) => s.disconnect());
    await c.close();
  }
});

test('FedAdam state (m, v) carries across rounds and a restart: round 2 matches the hand-chained steps', async () => {
  const store = tempStore();
  stores.push(store.remove);
  const cfg = { rounds: { minSites: 2, total: 2 }, aggregator: { name: 'fedadam', serverLr: 0.05, beta1: 0.9, beta2: 0.99, tau: 1e-3 } };
  let c = await testCoordinator(store.dir, cfg);
  const sites = [await FakeSite.enrol(c.url, 'site-a', c.createEnrolmentToken().token), await FakeSite.enrol(c.url, 'site-b', c.createEnrolmentToken().token)];
  const names = new FederatedNames(TEST_POLICY);
  const constant = (v: number): NamedTensors => new Map([...names.select(smallModel())].map(([n, t]) => [n, { shape: t.shape, data: new Float32Array(t.data.length).fill(v) }]));
  const send = async (round: number) => {
    await Promise.all(sites.map((s) => s.connect()));
    const starts = await Promise.all(sites.map((s) => s.roundStartFor(round)));
    for (const [i, s] of sites.entries()) assert.equal((await s.upload(await s.prepare(starts[i]!, constant(i === 0 ? 0.1 : 0.3), { samples: i === 0 ? 30 : 10 }))).type, 'update.ack');
    await c.waitForRound(round, 'published');
  };
  try {
    await send(1);
    sites.forEach((s) => s.disconnect());
    await c.close();
    c = await testCoordinator(store.dir, { ...cfg }, undefined);
    for (const s of sites) s.baseUrl = c.url;
    await send(2);
    // Δ = (30·0.1 + 10·0.3) / 40 = 0.15 both rounds (fp32 inputs: 0.15 to ~1e-8).
    const d = (30 * Math.fround(0.1) + 10 * Math.fround(0.3)) / 40;
    const m1 = 0.1 * d;
    const v1 = 0.99 * 1e-6 + 0.01 * d * d;
    const m2 = 0.9 * m1 + 0.1 * d;
    const v2 = 0.99 * v1 + 0.01 * d * d;
    const step = 0.05 * m1 / (Math.sqrt(v1) + 1e-3) + 0.05 * m2 / (Math.sqrt(v2) + 1e-3);
    const x0 = names.select(smallModel());
    const x2 = decodeWeights(c.store.blobs.get(c.store.getModel(2)!.sha256));
    for (const [name, t] of x0) x2.get(name)!.data.forEach((v, k) => assert.ok(Math.abs(v - (t.data[k]! + step)) < 1e-6, `${name}[${k}]: ${v} vs ${t.data[k]! + step}`));
    assert.deepEqual(c.store.getModel(2)!.manifest.parents, [1]);
  } finally {
    sites.forEach((s) => s.disconnect());
    await c.close();
  }
});

test('a 1.6 MB update travels in full 1 MiB chunks over the real socket', async () => {
  const store = tempStore();
  stores.push(store.remove);
  const big: NamedTensors = new Map([['encoder/dense/kernel', { shape: [400, 1000], data: new Float32Array(400_000).map((_, i) => Math.sin(i)) }]]);
  const c = await testCoordinator(store.dir, { rounds: { minSites: 1, total: 1 } }, big);
  const site = await FakeSite.enrol(c.url, 'site-a', c.createEnrolmentToken().token);
  try {
    await site.connect();
    const start = await site.roundStart();
    const p = await site.prepare(start, new Map([['encoder/dense/kernel', { shape: [400, 1000], data: new Float32Array(400_000).fill(0.5) }]]), { samples: 3 });
    assert.deepEqual(p.chunks.map((ch) => ch.data.length), [1 << 20, p.bytes - (1 << 20)]);
    assert.equal((await site.upload(p)).type, 'update.ack');
    await c.waitForRound(1, 'published');
    const next = decodeWeights(c.store.blobs.get(c.store.getModel(1)!.sha256)).get('encoder/dense/kernel')!.data;
    assert.ok(next.every((v, i) => Math.abs(v - (Math.fround(Math.sin(i)) + 0.5)) < 1e-6));
  } finally {
    site.disconnect();
    await c.close();
  }
});

test('straggler policy wait-for-deadline: quorum does not close the round; all selected reporting does', async () => {
  const { c, sites } = await federation(3, { rounds: { minSites: 3, quorumFraction: 0.34, stragglers: 'wait-for-deadline', deadlineSeconds: 60 } });
  try {
    await Promise.all(sites.map((s) => s.connect()));
    const starts = await Promise.all(sites.map((s) => s.roundStart()));
    for (const [i, s] of sites.entries()) {
      assert.equal((await s.upload(await s.prepare(starts[i]!, shifted(smallModel(), 0.01 * i), { samples: 5, kind: 'weights' }))).type, 'update.ack');
      if (i < 2) {
        // The quorum check runs right after the ack; give it time to (wrongly) close the round.
        await new Promise((r) => setTimeout(r, 150));
        assert.equal(c.store.getRound(1)!.status, 'training', `still training after ${i + 1} of 3 (quorum ${c.store.getRound(1)!.quorum})`);
      }
    }
    await c.waitForRound(1, 'published');
    assert.match(c.store.getRound(1)!.closeReason!, /all 3 selected sites reported/);
  } finally {
    sites.forEach((s) => s.disconnect());
    await c.close();
  }
});
