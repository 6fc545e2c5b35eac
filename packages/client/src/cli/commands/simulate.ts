import { resolve } from 'node:path';
import type { WeightDtype } from '@fedcl/protocol';
import { formatBackendReport, initBackend } from '@fedcl/ssl';
import { type CliIO, type Command, numberOption, parseCommandArgs, UsageError } from '../command.js';
import { simulate } from '../../simulate/simulate.js';
import { knnEvaluator } from '../../monitor/knnMonitor.js';
import { trainingSpec } from '../../site/trainingSpec.js';

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'Coordinator + one site process per folder on this machine, over real sockets',
  usage: `Usage: fedcl simulate --site NAME=DIR [--site NAME=DIR ...] --out DIR [options]

Runs a whole federation on one machine: the coordinator in this process and one site agent
process per --site, over loopback with real enrolment, JWT, JWE encryption and signatures.
Writes DIR/report.json (per round: sites, samples, loss, bytes sent and received) and the
final global encoder in DIR/encoder (tfjs + safetensors).

Options:
  --site NAME=DIR     a site and its folder of DICOM files (repeat; at least one)
  --out DIR           output directory (new or empty), required
  --rounds N          federated rounds (default 3)
  --method M          simclr | moco | byol | supcon | triplet (default simclr)
  --arch A            resnet18 | smallcnn (default resnet18)
  --width W           encoder base width (default 16)
  --size S            training image side in pixels (default 64)
  --epochs E          local epochs per round (default 1)
  --batch B           batch size (default 32)
  --lr LR             learning rate (default 0.001)
  --dtype D           update encoding fp32 | fp16 | int8 (default fp16)
  --seed S            seed of initialisation and augmentation (default 0)
  --eval-labels CSV   a labelled set (path,label) on which each round's global encoder is scored
                      by kNN (even rows the bank, odd rows the queries) into report.json; each
                      site also scores its local encoder on it (the console charts both)
`,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values } = parseCommandArgs(
      argv,
      {
        site: { type: 'string', multiple: true }, out: { type: 'string' }, rounds: { type: 'string' }, method: { type: 'string' },
        arch: { type: 'string' }, width: { type: 'string' }, size: { type: 'string' }, epochs: { type: 'string' }, batch: { type: 'string' },
        lr: { type: 'string' }, dtype: { type: 'string' }, seed: { type: 'string' }, 'eval-labels': { type: 'string' },
      },
      false,
    );
    const siteArgs = (values.site as string[] | undefined) ?? [];
    if (siteArgs.length === 0) throw new UsageError('give at least one --site NAME=DIR');
    const sites = siteArgs.map((s) => {
      const eq = s.indexOf('=');
      if (eq < 1 || eq === s.length - 1) throw new UsageError(`--site takes NAME=DIR, got '${s}'`);
      return { name: s.slice(0, eq), dir: resolve(s.slice(eq + 1)) };
    });
    if (typeof values.out !== 'string') throw new UsageError('--out is required');
    const dtype = (values.dtype ?? 'fp16') as WeightDtype;
    if (!['fp32', 'fp16', 'int8'].includes(dtype)) throw new UsageError(`--dtype must be fp32, fp16 or int8, got '${dtype}'`);
    const training: Record<string, number | string> = {
      method: (values.method as string | undefined) ?? 'simclr',
      arch: (values.arch as string | undefined) ?? 'resnet18',
      width: numberOption('width', values.width as string | undefined, 16, 1, 512),
      inputSize: numberOption('size', values.size as string | undefined, 64, 16, 1024),
      localEpochs: numberOption('epochs', values.epochs as string | undefined, 1, 1, 1000),
      batchSize: numberOption('batch', values.batch as string | undefined, 32, 2, 4096),
      learningRate: numberOption('lr', values.lr as string | undefined, 0.001, 1e-8, 10),
      seed: numberOption('seed', values.seed as string | undefined, 0, 0, 2 ** 31 - 1),
    };
    const backend = await initBackend();
    io.stderr.write(`compute backend: ${formatBackendReport(backend)}\n`);
    const evaluate = typeof values['eval-labels'] === 'string' ? await knnEvaluator(values['eval-labels'], trainingSpec(training)) : undefined;
    const report = await simulate({
      ...(evaluate ? { evaluate, monitorLabels: values['eval-labels'] as string } : {}),
      sites,
      rounds: numberOption('rounds', values.rounds as string | undefined, 3, 1, 10000),
      training,
      out: values.out,
      dtype,
      log: (line) => io.stderr.write(`${line}\n`),
      onCoordinator: (c) => io.stderr.write(`coordinator: ${c.url} (REST API and OpenAPI at ${c.url}/openapi.json)\nconsole: ${c.console.url} (${c.console.signIn})\n`),
    });
    const last = report.rounds.at(-1)!;
    io.stdout.write(
      `federation finished: ${report.rounds.length} rounds in ${report.seconds.toFixed(0)} s, final model v${report.finalVersion}, last loss ${last.loss.toFixed(4)}\n` +
        `report: ${resolve(values.out, 'report.json')}\nencoder: ${report.encoderFiles.join(', ')}\n`,
    );
    return 0;
  },
};
