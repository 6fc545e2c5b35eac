import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { decodeWeights, importSigningPublicKey, verifyManifest, verifyModelWeights } from '@fedcl/protocol';
import { startCoordinator } from '@fedcl/server';
import { initBackend, WeightMismatchError } from '@fedcl/ssl';
import { main } from '../main.js';
import { LocalModel } from '../../site/localModel.js';
import { trainingSpec } from '../../site/trainingSpec.js';
import { loadFederationConfig } from './coordinator.js';

await initBackend();

const TRAINING = { method: 'simclr', arch: 'smallcnn', width: 4, inputSize: 16, norm: 'bn', seed: 7 };
const POLICY = { prefix: 'encoder/', exclude: ['**/moving_mean', '**/moving_variance'] };
const ADMIN = 'admin-token-for-model-init-test-01';

function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  return main(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } }).then((code) => ({ code, out, err }));
}

test('fedcl model init writes version 0 that a coordinator serves and a site LocalModel loads', { timeout: 60000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedcl-model-init-'));
  try {
    const yaml = join(dir, 'federation.yaml');
    // Relative paths resolve against the YAML file, as `coordinator start` does.
    writeFileSync(yaml, stringify({ federation: 'init-test', listen: { port: 0 }, store: './store', adminToken: ADMIN, model: { initial: './init.fclw', policy: POLICY }, training: TRAINING }));
    const made = await cli(['model', 'init', '--config', yaml, '--out', join(dir, 'init.fclw')]);
    assert.equal(made.code, 0, made.err);
    assert.match(made.out, /wrote .*init\.fclw: \d+ tensors, \d+ parameters \(simclr\/smallcnn-w4, 16², seed 7\)/);

    const c = await startCoordinator(loadFederationConfig(yaml));
    try {
      const m = await (await fetch(`${c.url}/models/0/manifest`, { headers: { authorization: `Bearer ${ADMIN}` } })).json() as { jws: string };
      const manifest = await verifyManifest(m.jws, await importSigningPublicKey(c.publicKeys.signingKey), { expectedVersion: 0 });
      const res = await fetch(`${c.url}/models/0/weights`, { headers: { authorization: `Bearer ${ADMIN}` } });
      assert.equal(res.status, 200);
      const bytes = new Uint8Array(await res.arrayBuffer());
      verifyModelWeights(bytes, manifest);
      const served = decodeWeights(bytes);
      assert.deepEqual(served, decodeWeights(readFileSync(join(dir, 'init.fclw'))), 'the coordinator serves the file as written');

      // What a site of this federation builds: the same names, shapes and (same seed) values.
      const site = new LocalModel(trainingSpec(TRAINING));
      try {
        const expected = site.federated(POLICY);
        assert.ok(expected.size >= 4, `${expected.size} federated tensors`);
        assert.deepEqual([...served.keys()].sort(), [...expected.keys()].sort());
        for (const [name, t] of expected) {
          assert.deepEqual(served.get(name)!.shape, t.shape, name);
          assert.deepEqual(served.get(name)!.data, t.data, `${name}: version 0 is the seeded initialisation`);
        }
        assert.ok(![...served.keys()].some((n) => /moving_(mean|variance)$/.test(n)), 'policy exclusions are not in version 0');
        site.loadGlobal(served);
      } finally {
        site.dispose();
      }

      // A site configured with another width cannot load it: the shapes are what matters.
      const wider = new LocalModel(trainingSpec({ ...TRAINING, width: 8 }));
      try {
        assert.throws(() => wider.loadGlobal(served), WeightMismatchError);
      } finally {
        wider.dispose();
      }
    } finally {
      await c.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('fedcl model init refuses to overwrite, a bad training key and a policy selecting nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedcl-model-init-'));
  try {
    const yaml = join(dir, 'federation.yaml');
    const out = join(dir, 'init.fclw');
    writeFileSync(out, 'existing');
    writeFileSync(yaml, stringify({ model: { policy: POLICY }, training: TRAINING }));
    const exists = await cli(['model', 'init', '--config', yaml, '--out', out]);
    assert.equal(exists.code, 2);
    assert.match(exists.err, /exists: give --force/);
    assert.equal(readFileSync(out, 'utf8'), 'existing');

    writeFileSync(yaml, stringify({ model: { policy: POLICY }, training: { ...TRAINING, widht: 8 } }));
    const typo = await cli(['model', 'init', '--config', yaml, '--out', join(dir, 'a.fclw')]);
    assert.equal(typo.code, 1);
    assert.match(typo.err, /training\.widht is not a known setting/);

    writeFileSync(yaml, stringify({ model: { policy: { prefix: 'backbone/' } }, training: TRAINING }));
    const none = await cli(['model', 'init', '--config', yaml, '--out', join(dir, 'b.fclw')]);
    assert.equal(none.code, 2);
    assert.match(none.err, /selects no tensor/);

    const missing = await cli(['model', 'init', '--config', yaml]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /--out is required/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
