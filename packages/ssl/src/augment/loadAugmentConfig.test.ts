import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadAugmentConfig, validateAugmentConfig } from './loadAugmentConfig.js';
import { SslConfigError } from '../methods/errors.js';

const preset = (name: string) => fileURLToPath(new URL(`../../../../configs/augment/${name}.yaml`, import.meta.url));

test('the CR/DX, MR and CT presets load; flip is off for CR/DX and CT', () => {
  const crdx = loadAugmentConfig(preset('crdx'));
  const mr = loadAugmentConfig(preset('mr'));
  const ct = loadAugmentConfig(preset('ct'));
  assert.equal(crdx.flip?.p, 0);
  assert.equal(ct.flip?.p, 0);
  assert.equal(mr.flip?.p, 0.5);
  assert.deepEqual(crdx.crop?.scale, [0.5, 1.0]);
  assert.equal(crdx.rotate?.degrees, 10);
  assert.equal(crdx.rotate?.fill, 'constant');
});

test('validation names the bad key and value', () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ crop: { scale: [0.5, 1], ratio: [0.75, 1.33] }, flipp: { p: 0 } }, /flipp = .*unknown key/],
    [{ rotate: { p: 1.5, degrees: 10 } }, /rotate.p = 1.5/],
    [{ gamma: { p: 0.5, range: [1.5, 0.7] } }, /gamma.range = \[1.5,0.7\] .* lo ≤ hi/],
    [{ blur: { p: 0.5, sigma: [0, 1], radius: 3 } }, /blur.radius = 3 .*unknown key/],
    [{ crop: { scale: [0, 1], ratio: [1, 1] } }, /crop.scale\[0\] = 0/],
    [{ rotate: { p: 0.5, degrees: 10, fill: 'mirror' } }, /rotate.fill = "mirror"/],
    [{ outputSize: 3 }, /outputSize = 3/],
    [[1, 2], /mapping at the top level/],
  ];
  for (const [raw, re] of cases) assert.throws(() => validateAugmentConfig(raw), (e: Error) => e instanceof SslConfigError && re.test(e.message), String(re));
  assert.throws(() => loadAugmentConfig('/nonexistent/x.yaml'), /cannot read augmentation preset/);
});
