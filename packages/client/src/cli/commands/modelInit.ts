import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { encodeWeights, type FederatedPolicy } from '@fedcl/protocol';
import { parseFederationConfig } from '@fedcl/server';
import { initBackend } from '@fedcl/ssl';
import { type CliIO, type Command, parseCommandArgs, UsageError } from '../command.js';
import { initialWeights } from '../../site/localModel.js';
import { trainingSpec } from '../../site/trainingSpec.js';
import { loadFederationConfig } from './coordinator.js';

export const modelInit: Command = {
  name: 'model init',
  summary: "Write a federation's version-0 weights (FCLW) from its training settings",
  usage: `Usage: fedcl model init --config federation.yaml --out init.fclw [--force]

Builds the encoder the sites will train (method, arch, width, inputSize, norm and seed from the
federation's \`training:\` settings), freshly initialised, keeps the tensors its \`model.policy\`
federates, and writes them as fp32 FCLW weights. Point \`model.initial\` at the file so the
coordinator starts from it as version 0.

Options:
  --config FILE   federation configuration (YAML), required
  --out FILE      where to write the weights, required
  --force         overwrite an existing file
`,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values } = parseCommandArgs(argv, { config: { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean' } }, false);
    if (typeof values.config !== 'string') throw new UsageError('--config is required');
    if (typeof values.out !== 'string') throw new UsageError('--out is required');
    const out = resolve(values.out);
    if (existsSync(out) && !values.force) throw new UsageError(`${out} exists: give --force to overwrite it (a running federation's version 0 should not change)`);
    const config = parseFederationConfig(loadFederationConfig(values.config));
    const spec = trainingSpec(config.training);
    await initBackend();
    const weights = initialWeights(spec, config.model.policy as FederatedPolicy);
    if (weights.size === 0) {
      throw new UsageError(`model.policy (prefix '${config.model.policy.prefix}', ${config.model.policy.exclude.length} exclusions) selects no tensor of the ${spec.method}/${spec.arch} model: check the prefix`);
    }
    const bytes = encodeWeights(weights, 'fp32');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, bytes);
    const parameters = [...weights.values()].reduce((n, t) => n + t.data.length, 0);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    io.stdout.write(
      `wrote ${out}: ${weights.size} tensors, ${parameters} parameters (${spec.method}/${spec.arch}-w${spec.width}, ${spec.inputSize}², seed ${spec.seed}), ` +
        `${bytes.byteLength} bytes, sha256 ${sha256}\nset model.initial to this file in ${values.config}\n`,
    );
    return 0;
  },
};
