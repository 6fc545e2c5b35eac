import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Coordinator } from './coordinator.js';
import { tempStore, testCoordinator } from './testing/testCoordinator.js';

test('a pause and console round settings survive a coordinator restart; a changed configuration file wins over the console', async () => {
  const store = tempStore();
  let c: Coordinator | undefined;
  try {
    c = await testCoordinator(store.dir);
    assert.equal(c.controller.paused, null);
    await c.controller.pause('operator');
    const pausedAt = c.controller.paused;
    assert.ok(pausedAt);
    await c.controller.setRoundSettings({ ...c.config.rounds, deadlineSeconds: 300 }, 'operator');
    await c.controller.setRoundSettings({ ...c.config.rounds, minUpdates: 2 }, 'operator');
    await c.close();

    // Same file, same store: still paused since the same moment, both console changes in force.
    c = await testCoordinator(store.dir);
    assert.equal(c.controller.paused, pausedAt);
    assert.equal(c.config.rounds.deadlineSeconds, 300);
    assert.equal(c.config.rounds.minUpdates, 2);
    await c.controller.resume('operator');
    await c.close();

    c = await testCoordinator(store.dir);
    assert.equal(c.controller.paused, null, 'a resume is remembered too');
    assert.equal(c.config.rounds.deadlineSeconds, 300);
    await c.close();

    // The file's round settings changed since: the file wins, the override is dropped and audited.
    c = await testCoordinator(store.dir, { rounds: { deadlineSeconds: 90 } });
    assert.equal(c.config.rounds.deadlineSeconds, 90);
    assert.equal(c.config.rounds.minUpdates, 1);
    const note = c.store.searchAudit({ action: 'rounds.settings', actor: 'coordinator' });
    assert.equal(note.length, 1);
    assert.match(String(note[0]!.detail.message), /configuration file changed/);
    await c.close();

    // Back to the original file: the dropped override does not come back.
    c = await testCoordinator(store.dir);
    assert.equal(c.config.rounds.deadlineSeconds, 60);
    assert.equal(c.config.rounds.minUpdates, 1);
  } finally {
    await c?.close();
    store.remove();
  }
});
