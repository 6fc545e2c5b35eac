import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { importEncoder, initBackend } from '@fedcl/ssl';
import type { NamedTensors } from '@fedcl/protocol';
import { simulate } from '../packages/client/src/simulate/simulate.js';
import { initialWeights, LocalModel } from '../packages/client/src/site/localModel.js';
import { trainingSpec } from '../packages/client/src/site/trainingSpec.js';
import { SIMULATION_POLICY } from '../packages/client/src/simulate/simulate.js';
import { daikonSlices, mrHalfTask, scoreEncoder } from '../packages/ssl/src/eval/testing/mrHalfTask.js';

await initBackend();

test('fedcl simulate: 3 sites (separate processes) × 3 rounds on real MR; the global encoder beats random init on a held-out probe', { timeout: 15 * 60 * 1000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'fedcl-sim-'));
  try {
    // Round-robin split of the 20 slices over three hospitals.
    const sites = ['north', 'south', 'east'].map((name) => ({ name, dir: join(root, 'data', name) }));
    daikonSlices().forEach((f, i) => {
      const dir = sites[i % 3]!.dir;
      mkdirSync(dir, { recursive: true });
      copyFileSync(f, join(dir, basename(f)));
    });
    const training = { method: 'simclr', arch: 'smallcnn', width: 8, inputSize: 32, batchSize: 6, localEpochs: 8, learningRate: 3e-3, seed: 1 };
    const spec = trainingSpec(training);
    const task = await mrHalfTask(32);
    const score = (weights: ReturnType<typeof initialWeights>) => {
      const m = new LocalModel(spec);
      try {
        m.loadGlobal(weights);
        return scoreEncoder(m.method.encoder, task);
      } finally {
        m.dispose();
      }
    };
    const before = score(initialWeights(spec, SIMULATION_POLICY));
    const out = join(root, 'out');
    let lastGlobal: NamedTensors | undefined;
    const report = await simulate({
      sites,
      rounds: 3,
      training,
      out,
      dtype: 'fp16',
      evaluate: async (w) => {
        lastGlobal = w;
        const s = score(w);
        return { knnAccuracy: s.accuracy, auc: s.auc.estimate };
      },
    });

    // The report says what happened, round by round.
    assert.equal(report.rounds.length, 3);
    assert.equal(report.finalVersion, 3);
    for (const [i, r] of report.rounds.entries()) {
      assert.equal(r.round, i + 1);
      assert.equal(r.globalVersion, i + 1);
      assert.deepEqual(r.sites.map((s) => s.name).sort(), ['east', 'north', 'south']);
      assert.equal(r.samples, 20, 'every slice is counted once');
      assert.deepEqual(r.sites.map((s) => s.samples).sort(), [6, 7, 7]);
      assert.ok(r.sites.every((s) => s.outcome === 'accepted' && s.steps === 8 && s.bytesSent > 0 && s.bytesReceived > 0));
      assert.ok(Number.isFinite(r.loss));
    }
    assert.deepEqual(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).rounds.length, 3);

    // The exported encoder is the final global model, bit for bit.
    const exported = await importEncoder(join(out, 'encoder', 'encoder.safetensors'));
    assert.ok(lastGlobal && lastGlobal.size > 0);
    for (const [name, t] of lastGlobal!) {
      const e = exported.weights.get(name);
      assert.ok(e, `${name} exported`);
      assert.deepEqual(e.shape, t.shape, name);
      assert.deepEqual(e.dataSync(), t.data, `${name} equals the final global weights`);
    }
    for (const t of exported.weights.values()) t.dispose();
    assert.ok(existsSync(join(out, 'encoder', 'tfjs', 'model.json')));

    const after = report.rounds.at(-1)!.eval!;
    console.log(`random init: kNN ${before.accuracy.toFixed(3)} AUC ${before.auc.estimate.toFixed(3)}; federated: kNN ${after.knnAccuracy!.toFixed(3)} AUC ${after.auc!.toFixed(3)}`);
    assert.ok(after.knnAccuracy! >= before.accuracy + 0.1, `federated kNN ${after.knnAccuracy} vs random init ${before.accuracy}`);
    assert.ok(after.auc! > before.auc.estimate, `federated AUC ${after.auc} vs random init ${before.auc.estimate}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
