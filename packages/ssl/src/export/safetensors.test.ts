import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSafetensors, encodeSafetensors, SafetensorsError, type SafeTensor } from './safetensors.js';
import { runPython } from '../train/testing/runPython.js';

const hex = (d: ArrayBufferView) => Buffer.from(d.buffer, d.byteOffset, d.byteLength).toString('hex');

/** A by-hand reader written from the format spec, independent of ours. */
const PY_READ = `
import json, struct, sys, numpy as np
DT = {'F64': '<f8', 'F32': '<f4', 'F16': '<f2', 'I64': '<i8', 'I32': '<i4', 'I16': '<i2', 'I8': 'i1', 'U8': 'u1', 'BOOL': '?'}
def read(path):
    b = open(path, 'rb').read()
    (n,) = struct.unpack('<Q', b[:8])
    header = json.loads(b[8:8 + n].decode('utf-8'))
    buf = b[8 + n:]
    meta = header.pop('__metadata__', {})
    out = {}
    for name, e in header.items():
        s, t = e['data_offsets']
        a = np.frombuffer(buf[s:t], dtype=DT[e['dtype']]).reshape(e['shape'])
        out[name] = (e, a, s)
    return n, meta, out, len(buf)
`;

test('a file we write is read by a by-hand numpy parser: same dtypes, shapes, bytes; aligned', () => {
  const f32 = new Float32Array([1.5, -0, Number.NaN, Infinity, -Infinity, 1e-45, 3.4028234663852886e38, -2.5]);
  const tensors = new Map<string, SafeTensor>([
    ['encoder/conv1/kernel', { dtype: 'F32', shape: [2, 2, 1, 2], data: f32 }],
    ['b/ints', { dtype: 'I32', shape: [3], data: new Int32Array([-2147483648, 0, 2147483647]) }],
    ['a/bytes', { dtype: 'U8', shape: [1, 3], data: new Uint8Array([0, 127, 255]) }],
    ['mask', { dtype: 'BOOL', shape: [2], data: new Uint8Array([1, 0]) }],
    ['d64', { dtype: 'F64', shape: [2], data: new Float64Array([Math.PI, -1e-300]) }],
    ['i64', { dtype: 'I64', shape: [2], data: new BigInt64Array([-(2n ** 63n), 2n ** 62n + 1n]) }],
    ['scalar', { dtype: 'F32', shape: [], data: new Float32Array([7]) }],
    ['empty', { dtype: 'F32', shape: [0, 3], data: new Float32Array(0) }],
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'fedcl-st-'));
  try {
    const path = join(dir, 'w.safetensors');
    writeFileSync(path, encodeSafetensors(tensors, { method: 'simclr', 'note ünïcode': 'ok' }));
    const r = runPython<{ n: number; meta: Record<string, string>; bufLen: number; t: Record<string, { dtype: string; shape: number[]; hex: string; aligned: boolean; sum: number | null }> }>(
      PY_READ +
        `
inp = json.load(sys.stdin)
n, meta, out, buflen = read(inp['path'])
res = {}
for name, (e, a, s) in out.items():
    total = float(a.astype('f8').sum()) if e['dtype'] == 'F32' and np.isfinite(a).all() else None
    res[name] = {'dtype': e['dtype'], 'shape': list(a.shape), 'hex': a.tobytes().hex(), 'aligned': ((8 + n + s) % a.dtype.itemsize) == 0, 'sum': total}
print(json.dumps({'n': n, 'meta': meta, 'bufLen': buflen, 't': res}))
`,
      { path },
    );
    assert.equal(r.n % 8, 0, 'header padded to 8 bytes');
    assert.deepEqual(r.meta, { method: 'simclr', 'note ünïcode': 'ok' });
    assert.deepEqual(Object.keys(r.t).sort(), [...tensors.keys()].sort());
    let bytes = 0;
    for (const [name, t] of tensors) {
      const p = r.t[name]!;
      assert.equal(p.dtype, t.dtype, name);
      assert.deepEqual(p.shape, t.shape, name);
      assert.equal(p.hex, hex(t.data), name);
      assert.ok(p.aligned, `${name} aligned to its element size`);
      bytes += t.data.byteLength;
    }
    assert.equal(r.bufLen, bytes);
    assert.equal(r.t.scalar!.sum, 7);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('a file numpy writes (unpadded header, name order, F16) is read back bit-exactly', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedcl-st-'));
  try {
    const path = join(dir, 'np.safetensors');
    const ref = runPython<Record<string, { dtype: string; shape: number[]; hex: string }>>(
      `
import json, struct, sys, numpy as np
rng = np.random.default_rng(3)
arrays = {
  'z.weight': ('F32', rng.standard_normal((4, 3, 3, 2)).astype('<f4')),
  'a.bias': ('F64', rng.standard_normal(5).astype('<f8')),
  'half': ('F16', rng.standard_normal((2, 3)).astype('<f2')),
  'counts': ('I64', np.array([-3, 1 << 40], dtype='<i8')),
  'labels': ('I32', np.array([[1, -2], [3, 4]], dtype='<i4')),
  'flags': ('BOOL', np.array([True, False, True])),
  'int8': ('I8', np.array([-128, 5], dtype='i1')),
}
header, off, blobs = {}, 0, []
for name in sorted(arrays):
    dt, a = arrays[name]
    b = a.tobytes()
    header[name] = {'dtype': dt, 'shape': list(a.shape), 'data_offsets': [off, off + len(b)]}
    off += len(b); blobs.append(b)
header['__metadata__'] = {'source': 'numpy'}
h = json.dumps(header).encode()
open(json.load(sys.stdin)['path'], 'wb').write(struct.pack('<Q', len(h)) + h + b''.join(blobs))
print(json.dumps({n: {'dtype': dt, 'shape': list(a.shape), 'hex': a.tobytes().hex()} for n, (dt, a) in arrays.items()}))
`,
      { path },
    );
    const file = decodeSafetensors(new Uint8Array(readFileSync(path)));
    assert.deepEqual(file.metadata, { source: 'numpy' });
    assert.equal(file.tensors.size, Object.keys(ref).length);
    for (const [name, r] of Object.entries(ref)) {
      const t = file.tensors.get(name)!;
      assert.equal(t.dtype, r.dtype, name);
      assert.deepEqual(t.shape, r.shape, name);
      assert.equal(hex(t.data), r.hex, name);
    }
    // and re-encoding what we read gives the same tensors again
    const again = decodeSafetensors(encodeSafetensors(file.tensors, file.metadata));
    for (const [name, t] of file.tensors) assert.equal(hex(again.tensors.get(name)!.data), hex(t.data), name);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

function craft(header: object, buffer: Uint8Array): Uint8Array {
  const h = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + buffer.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(buffer, 8 + h.length);
  return out;
}

test('malformed files are refused with a message naming the problem', () => {
  const e = (dtype: string, shape: number[], o: [number, number]) => ({ dtype, shape, data_offsets: o });
  assert.throws(() => decodeSafetensors(new Uint8Array(4)), /too short/);
  const huge = new Uint8Array(16);
  new DataView(huge.buffer).setBigUint64(0, 1000n, true);
  assert.throws(() => decodeSafetensors(huge), /header length 1000/);
  assert.throws(() => decodeSafetensors(craft({ a: e('F32', [2], [0, 8]), b: e('F32', [1], [12, 16]) }, new Uint8Array(16))), /hole or overlap/);
  assert.throws(() => decodeSafetensors(craft({ a: e('F32', [2], [0, 8]) }, new Uint8Array(12))), /trailing bytes/);
  assert.throws(() => decodeSafetensors(craft({ a: e('F32', [3], [0, 8]) }, new Uint8Array(8))), /needs 12 bytes/);
  assert.throws(() => decodeSafetensors(craft({ a: e('Q7', [2], [0, 8]) }, new Uint8Array(8))), /unsupported dtype 'Q7'/);
  assert.throws(() => decodeSafetensors(craft({ a: e('F32', [2], [0, 80]) }, new Uint8Array(8))), /outside/);
  assert.throws(() => decodeSafetensors(craft({ __metadata__: { x: 1 } }, new Uint8Array(0))), /__metadata__ 'x'/);
  assert.throws(
    () => encodeSafetensors(new Map([['x', { dtype: 'F32', shape: [3], data: new Float32Array(2) }]])),
    SafetensorsError,
  );
  assert.throws(
    () => encodeSafetensors(new Map([['x', { dtype: 'F32', shape: [2], data: new Int32Array(2) }]])),
    /needs a Float32Array/,
  );
});
