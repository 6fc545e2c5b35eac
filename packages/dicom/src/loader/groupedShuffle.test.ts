import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupedPermutation } from './shuffle.js';

const groups = ['a', 'b', 'a', 'c', 'b', 'a', 'd', 'c', 'a', 'e'];

test('groupedPermutation is a permutation that keeps every group contiguous', () => {
  for (let epoch = 0; epoch < 20; epoch++) {
    const order = [...groupedPermutation(groups, 3, epoch)];
    assert.deepEqual([...order].sort((x, y) => x - y), [...groups.keys()], 'every index once');
    const seq = order.map((i) => groups[i]);
    const seen = new Set<string>();
    for (let k = 0; k < seq.length; k++) {
      if (k > 0 && seq[k] !== seq[k - 1]) {
        assert.ok(!seen.has(seq[k]!), `group ${seq[k]} appears in two runs: ${seq.join('')}`);
      }
      seen.add(seq[k]!);
    }
  }
});

test('groupedPermutation is reproducible by (seed, epoch), and shuffles groups and members across epochs', () => {
  assert.deepEqual(groupedPermutation(groups, 3, 1), groupedPermutation(groups, 3, 1));
  const firstGroups = new Set<string>();
  const aOrders = new Set<string>();
  for (let epoch = 0; epoch < 30; epoch++) {
    const order = [...groupedPermutation(groups, 3, epoch)];
    firstGroups.add(groups[order[0]!]!);
    aOrders.add(order.filter((i) => groups[i] === 'a').join(','));
  }
  assert.ok(firstGroups.size >= 4, `the first group varies: ${[...firstGroups]}`);
  assert.ok(aOrders.size >= 6, `members of a group are shuffled: ${aOrders.size} orders of 'a'`);
});
