import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom, type NamedTensors } from '@fedcl/protocol';
import { startCoordinator, type Coordinator } from '../coordinator.js';

/** A small encoder-like model: two federated tensors, one FedBN-local one, one outside the prefix. */
export function smallModel(seed = 1): NamedTensors {
  const rnd = seededRandom(seed);
  const t = (shape: number[]) => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => rnd() - 0.5) });
  return new Map([
    ['encoder/conv1/kernel', t([3, 3, 1, 4])],
    ['encoder/conv1/bias', t([4])],
    ['encoder/bn1/moving_mean', t([4])],
    ['projector/dense/kernel', t([4, 2])],
  ]);
}

export const TEST_POLICY = { prefix: 'encoder/', exclude: ['**/bn*/**'] };

export function tempStore(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'fedcl-coord-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A coordinator on 127.0.0.1 with an ephemeral port, a temp store and the small model as version 0. */
export function testCoordinator(dir: string, overrides: Record<string, unknown> = {}, initial: NamedTensors | undefined = smallModel()): Promise<Coordinator> {
  const { rounds, limits, ...rest } = overrides as { rounds?: object; limits?: object };
  return startCoordinator(
    {
      federation: 'test',
      listen: { host: '127.0.0.1', port: 0 },
      store: dir,
      adminToken: 'admin-token-for-tests-0123456789',
      model: { policy: TEST_POLICY },
      rounds: { total: 3, minSites: 2, fraction: 1, quorumFraction: 1, minUpdates: 1, deadlineSeconds: 60, ...rounds },
      limits: { maxUpdateBytes: 4 * 1024 * 1024, ...limits },
      ...rest,
    },
    initial ? { initialWeights: initial } : {},
  );
}
