import { ProtocolError } from '../errors.js';
import type { NamedTensors } from '../codec/tensors.js';
import type { TensorSpec } from '../schemas/manifest.js';
import type { FederatedNames } from './policy.js';

/**
 * Checks an update against the global model: exactly the same federated names, the same shapes.
 * A name that should stay local, an unknown name, a missing name or a wrong shape is refused,
 * naming the tensor.
 */
export function checkAgainstSpec(tensors: NamedTensors, spec: readonly TensorSpec[], names: FederatedNames): void {
  const want = new Map(spec.map((t) => [t.name, t.shape]));
  for (const [name, t] of tensors) {
    const why = names.whyLocal(name);
    if (why) throw new ProtocolError('weights.name_not_federated', `tensor '${name}' must stay at the site: ${why}`, name);
    const shape = want.get(name);
    if (!shape) throw new ProtocolError('weights.shape_mismatch', `tensor '${name}' is not in the global model`, name);
    if (shape.length !== t.shape.length || shape.some((d, i) => d !== t.shape[i])) {
      throw new ProtocolError('weights.shape_mismatch', `tensor '${name}' has shape [${t.shape.join(', ')}], the global model has [${shape.join(', ')}]`, name);
    }
  }
  for (const name of want.keys()) {
    if (!tensors.has(name)) throw new ProtocolError('weights.shape_mismatch', `tensor '${name}' of the global model is missing from the update`, name);
  }
}

/** local − global for every tensor of `global` (shapes must match). Sites send this when kind = 'delta'. */
export function computeDelta(local: NamedTensors, global: NamedTensors): NamedTensors {
  const out: NamedTensors = new Map();
  for (const [name, g] of global) {
    const l = local.get(name);
    if (!l || l.data.length !== g.data.length) throw new ProtocolError('weights.shape_mismatch', `tensor '${name}' is missing or has another size locally`, name);
    const d = new Float32Array(g.data.length);
    for (let i = 0; i < d.length; i++) d[i] = l.data[i]! - g.data[i]!;
    out.set(name, { shape: g.shape, data: d });
  }
  return out;
}
