import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { smallModel } from '../testing/testCoordinator.js';
import { tarArchive, toSafetensors, toTfjsWeights } from './modelExport.js';

const PY = '/usr/bin/python3';

/** Reads files with Debian's python + numpy, written from the formats' specs (independent of our code). */
function python(script: string, args: string[]): unknown {
  try {
    return JSON.parse(execFileSync(PY, ['-c', script, ...args], { encoding: 'utf8' }));
  } catch (e) {
    throw new Error(`this test needs ${PY} with numpy (apt-get install python3-numpy): ${(e as Error).message}`);
  }
}

const model = smallModel(7);
const asLists = () => Object.fromEntries([...model].map(([n, t]) => [n, { shape: t.shape, data: [...t.data] }]));

test('safetensors: numpy reading the header and F32 data from the spec gets every tensor back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedcl-st-'));
  try {
    const file = join(dir, 'm.safetensors');
    writeFileSync(file, toSafetensors(model, { version: '3' }));
    const got = python(
      `import json,struct,sys,numpy as np
b=open(sys.argv[1],'rb').read(); n=struct.unpack('<Q',b[:8])[0]; h=json.loads(b[8:8+n]); base=8+n
assert n%8==0
out={'__metadata__':h.pop('__metadata__')}
for k,v in h.items():
  s,e=v['data_offsets']; a=np.frombuffer(b[base+s:base+e],dtype='<f4')
  out[k]={'dtype':v['dtype'],'shape':v['shape'],'data':[float(x) for x in a]}
print(json.dumps(out))`,
      [file],
    ) as Record<string, { dtype: string; shape: number[]; data: number[] }>;
    assert.deepEqual(got.__metadata__, { version: '3' });
    for (const [n, t] of model) {
      assert.equal(got[n]!.dtype, 'F32');
      assert.deepEqual(got[n]!.shape, t.shape);
      assert.deepEqual(got[n]!.data, [...t.data], n);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tfjs weights in a tar: GNU tar extracts it, and numpy reads weights.bin as the manifest says', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedcl-tar-'));
  try {
    const { modelJson, weightsBin } = toTfjsWeights(model, { version: '3' });
    writeFileSync(join(dir, 'm.tar'), tarArchive([{ name: 'model.json', data: Buffer.from(modelJson) }, { name: 'weights.bin', data: weightsBin }]));
    assert.deepEqual(execFileSync('tar', ['-tf', join(dir, 'm.tar')], { encoding: 'utf8' }).trim().split('\n'), ['model.json', 'weights.bin']);
    execFileSync('tar', ['-xf', join(dir, 'm.tar'), '-C', dir]);
    const got = python(
      `import json,sys,numpy as np,os
d=sys.argv[1]; m=json.load(open(os.path.join(d,'model.json'))); g=m['weightsManifest'][0]
b=open(os.path.join(d,g['paths'][0]),'rb').read(); off=0; out={}
for w in g['weights']:
  n=int(np.prod(w['shape'])); a=np.frombuffer(b[off:off+4*n],dtype='<f4'); off+=4*n
  out[w['name']]={'shape':w['shape'],'data':[float(x) for x in a]}
assert off==len(b)
print(json.dumps({'format':m['format'],'t':out}))`,
      [dir],
    ) as { format: string; t: Record<string, { shape: number[]; data: number[] }> };
    assert.equal(got.format, 'weights');
    assert.deepEqual(got.t, asLists());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tar refuses names that do not fit the header', () => {
  assert.throws(() => tarArchive([{ name: 'x'.repeat(100), data: new Uint8Array(1) }]), /too long/);
});
