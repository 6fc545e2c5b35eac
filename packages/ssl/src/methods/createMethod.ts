import type { MethodConfig, SslMethod } from './types.js';
import { resolveMethodConfig } from './methodConfig.js';
import { SimClr } from './simclr.js';
import { Moco } from './moco.js';
import { Byol } from './byol.js';
import { SupCon } from './supCon.js';
import { Triplet } from './triplet.js';

/** Builds a method from its config (defaults filled and validated by resolveMethodConfig). */
export function createMethod(config: MethodConfig): SslMethod {
  const c = resolveMethodConfig(config);
  switch (c.method) {
    case 'simclr': return new SimClr(c);
    case 'moco': return new Moco(c);
    case 'byol': return new Byol(c);
    case 'supcon': return new SupCon(c);
    case 'triplet': return new Triplet(c);
  }
}
