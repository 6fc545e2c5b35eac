import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from './prng.js';
import { python } from '../write/testing/referenceTools.js';

test('xoshiro128** seeded by splitmix32 matches a Python transcription of the reference C code', () => {
  const seed = 0xdeadbeef;
  const rng = new Rng(seed);
  const ours = Array.from({ length: 8 }, () => rng.nextUint32());
  const ref = python(`
M = 0xffffffff
def splitmix32(s):
    while True:
        s = (s + 0x9e3779b9) & M
        z = s
        z = ((z ^ (z >> 16)) * 0x85ebca6b) & M
        z = ((z ^ (z >> 13)) * 0xc2b2ae35) & M
        yield (z ^ (z >> 16)) & M
def rotl(x, k): return ((x << k) | (x >> (32 - k))) & M
g = splitmix32(${seed})
s = [next(g) for _ in range(4)]
out = []
for _ in range(8):
    out.append((rotl((s[1] * 5) & M, 7) * 9) & M)
    t = (s[1] << 9) & M
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 11)
print(out)
`);
  assert.deepEqual(ours, JSON.parse(ref) as number[]);
});

test('keyed streams are reproducible and independent; uniform and normal draws have the right moments', () => {
  const a = Array.from({ length: 5 }, ((r) => () => r.nextUint32())(Rng.for(1, 'site-1', 'patient', 3)));
  const b = Array.from({ length: 5 }, ((r) => () => r.nextUint32())(Rng.for(1, 'site-1', 'patient', 3)));
  const c = Array.from({ length: 5 }, ((r) => () => r.nextUint32())(Rng.for(1, 'site-1', 'patient', 4)));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  const rng = Rng.for(7);
  const n = 200000;
  const bins = new Array<number>(16).fill(0);
  let s1 = 0, s2 = 0, f1 = 0, f2 = 0;
  for (let i = 0; i < n; i++) {
    bins[Math.floor(rng.float() * 16)]!++;
    const z = rng.normal();
    s1 += z; s2 += z * z;
    const f = rng.fastNormal();
    f1 += f; f2 += f * f;
  }
  const expected = n / 16;
  const chi2 = bins.reduce((s, o) => s + (o - expected) ** 2 / expected, 0);
  assert.ok(chi2 < 37.7, `chi-square ${chi2.toFixed(1)} below the 0.001 critical value for 15 dof`);
  for (const [m1, m2, name] of [[s1, s2, 'normal'], [f1, f2, 'fastNormal']] as const) {
    assert.ok(Math.abs(m1 / n) < 0.01, `${name} mean ${m1 / n}`);
    assert.ok(Math.abs(m2 / n - 1) < 0.015, `${name} variance ${m2 / n}`);
  }
});
