import assert from 'node:assert/strict';
import { test } from 'node:test';
import { selectSites } from './selection.js';

const sites = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];

test('selection takes max(minSites, ⌈fraction·n⌉) distinct available sites and a capped quorum', () => {
  const r = selectSites(sites, { minSites: 2, fraction: 0.35, quorumFraction: 0.5, minUpdates: 1 })!;
  assert.equal(r.selected.length, 4); // ⌈3.5⌉
  assert.equal(new Set(r.selected).size, 4);
  assert.ok(r.selected.every((s) => sites.includes(s)));
  assert.equal(r.quorum, 2);
  assert.equal(selectSites(sites, { minSites: 6, fraction: 0.1, quorumFraction: 1, minUpdates: 1 })!.selected.length, 6);
  assert.equal(selectSites(sites, { minSites: 2, fraction: 1, quorumFraction: 0.1, minUpdates: 3 })!.quorum, 3);
  assert.equal(selectSites(['a'], { minSites: 2, fraction: 1, quorumFraction: 1, minUpdates: 1 }), undefined);
});

test('selection is uniform: each site is picked about k/n of the time', () => {
  const counts = new Map(sites.map((s) => [s, 0]));
  const trials = 4000;
  for (let t = 0; t < trials; t++) for (const s of selectSites(sites, { minSites: 3, fraction: 0.3, quorumFraction: 1, minUpdates: 1 })!.selected) counts.set(s, counts.get(s)! + 1);
  // Expected 0.3·4000 = 1200 per site, σ ≈ 29: ±150 is over 5σ.
  for (const [s, c] of counts) assert.ok(Math.abs(c - 1200) < 150, `${s}: ${c}`);
});
