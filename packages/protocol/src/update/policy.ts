import type { FederatedPolicy } from '../schemas/common.js';
import type { NamedTensors } from '../codec/tensors.js';

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Decides which tensor names are federated under a policy (compiled once). */
export class FederatedNames {
  private readonly patterns: RegExp[];
  constructor(readonly policy: FederatedPolicy) {
    this.patterns = policy.exclude.map(globToRegExp);
  }

  /** Why `name` stays local, or undefined when it is federated. */
  whyLocal(name: string): string | undefined {
    if (!name.startsWith(this.policy.prefix)) return `it is not under the federated prefix '${this.policy.prefix}' (encoder-only aggregation)`;
    const hit = this.policy.exclude.find((_, i) => this.patterns[i]!.test(name));
    return hit === undefined ? undefined : `it matches the local-only pattern '${hit}' (FedBN)`;
  }

  isFederated(name: string): boolean {
    return this.whyLocal(name) === undefined;
  }

  /** The federated subset of `tensors` (views, not copies): what a site sends and the coordinator averages. */
  select(tensors: NamedTensors): NamedTensors {
    const out: NamedTensors = new Map();
    for (const [name, t] of tensors) if (this.isFederated(name)) out.set(name, t);
    return out;
  }
}
