import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planSite } from './cohort.js';
import { renderPhantom, MIN_VISIBLE_LESION } from './renderImage.js';
import { siteProfile } from './siteProfiles.js';
import { splitPatients } from './split.js';

/** Mean of `image` over the pixels where `mask` is 1. */
function maskedMean(image: Float32Array, mask: Uint8Array): number {
  let s = 0, n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) { s += image[i]!; n++; }
  return s / n;
}

test('every positive label has a drawn anomaly: brighter in its mask than the same view rendered without it; negatives have none', () => {
  const size = 96;
  let positives = 0;
  let negatives = 0;
  const differences: number[] = [];
  for (const k of [1, 2, 3]) {
    for (const plan of planSite(5, k, siteProfile(k), 60)) {
      const withIt = renderPhantom(5, plan, size, true);
      const mask = withIt.phantom.lesionMask;
      const maskPixels = mask.reduce((s, v) => s + v, 0);
      if (!withIt.anomaly) {
        negatives++;
        assert.equal(maskPixels, 0, `${plan.relativePath}: no anomaly, empty mask`);
        continue;
      }
      positives++;
      assert.ok(maskPixels >= 4, `${plan.relativePath}: anomaly covers ${maskPixels} px at ${size}²`);
      assert.ok(withIt.anomaly.radius >= (plan.modality === 'mr' ? MIN_VISIBLE_LESION : 0.045), 'visible size');
      const without = renderPhantom(5, plan, size, false);
      assert.equal(without.phantom.lesionMask.reduce((s, v) => s + v, 0), 0);
      const diff = maskedMean(withIt.phantom.image, mask) - maskedMean(without.phantom.image, mask);
      differences.push(diff);
      assert.ok(diff > 0.04, `${plan.relativePath}: anomaly adds ${diff.toFixed(3)} brightness in its mask`);
      // Outside the anomaly's disc the two renderings are identical (the anomaly is local).
      let outside = 0;
      for (let i = 0; i < mask.length; i++) if (withIt.phantom.image[i] !== without.phantom.image[i]) outside++;
      assert.ok(outside < 4 * maskPixels + 50, `${plan.relativePath}: ${outside} changed pixels for a ${maskPixels}-px core`);
    }
  }
  assert.ok(positives >= 20 && negatives >= 60, `${positives} positives, ${negatives} negatives`);
  // Contrast varies: some subtle, some obvious.
  assert.ok(Math.min(...differences) < 0.5 * Math.max(...differences), 'anomaly contrast varies');
});

test('X-ray studies show their nodule in every image; MR series only in slices that cut the lesion', () => {
  const plans = planSite(9, 3, siteProfile(3), 120);
  const byStudy = new Map<string, number[]>();
  for (const p of plans) {
    const key = `${p.patient}/${p.study}`;
    const label = renderPhantom(9, p, 48).anomaly ? 1 : 0;
    if (!p.studyAnomalous) assert.equal(label, 0, `${key}: normal study has no anomaly`);
    byStudy.set(key, [...(byStudy.get(key) ?? []), label]);
    if (p.modality === 'xray') assert.equal(label, p.studyAnomalous ? 1 : 0);
  }
  const mixed = [...byStudy.values()].filter((l) => l.includes(0) && l.includes(1));
  assert.ok(mixed.length >= 1, 'some MR series have slices both through and beside the lesion');
});

test('patient-level split: no patient on both sides; both sides keep positives; deterministic', () => {
  const patients = new Map<string, boolean>(Array.from({ length: 80 }, (_, i) => [`P${i}`, i % 4 === 0]));
  const test1 = splitPatients(patients, 0.25, 3);
  assert.deepEqual([...splitPatients(patients, 0.25, 3)].sort(), [...test1].sort());
  assert.equal(test1.size, 20);
  const positivesInTest = [...test1].filter((p) => patients.get(p)).length;
  assert.equal(positivesInTest, 5, 'a quarter of the 20 positive patients');
  assert.throws(() => splitPatients(patients, 1, 3), /test fraction/);
});
