import { join, resolve } from 'node:path';
import { formatBackendReport, initBackend } from '@fedcl/ssl';
import { type CliIO, type Command, numberOption, parseCommandArgs } from '../command.js';
import { comparisonTable, DEMO_DEFAULTS, runDemo } from '../../demo/demo.js';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'The main job (npm start): demo data → federated SimCLR → few-label anomaly classifiers, compared',
  usage: `Usage: fedcl demo [--out DIR] [--sites N] [--per-site N] [--rounds N] [--epochs E] [--label-fraction F] [--seed S] [--hold-out-test]

Makes synthetic multi-site DICOM (chest-radiograph and brain-MR phantoms, a minority with an
anomaly), runs federated SimCLR over loopback (a coordinator and one site process per
hospital: real enrolment, JWT, encrypted and signed updates, FedAvg), pretrains the same way
on the pooled data (centralised), then fits anomaly classifiers with a few labels, one for
chest X-ray nodules and one for brain MR lesions: a linear probe on each pretrained encoder
and the same network trained from scratch, each over 5 draws of the labelled images. It
prints the mean test AUC per row and, for the first draw, AUC, sensitivity and specificity
with 95 % CIs. Everything goes to DIR (default runs/demo-<time>).

By default the sites pretrain on all their images, the test patients' included (unlabelled);
--hold-out-test keeps those out of pretraining (see docs/demo-data.md for what that changes).

Options (defaults: ${DEMO_DEFAULTS.sites} sites × ${DEMO_DEFAULTS.perSite} images, ${DEMO_DEFAULTS.rounds} rounds × ${DEMO_DEFAULTS.localEpochs} local epochs, ${DEMO_DEFAULTS.labelFraction * 100} % labels)
`,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values } = parseCommandArgs(
      argv,
      { out: { type: 'string' }, sites: { type: 'string' }, 'per-site': { type: 'string' }, rounds: { type: 'string' }, epochs: { type: 'string' }, 'label-fraction': { type: 'string' }, seed: { type: 'string' }, 'hold-out-test': { type: 'boolean' } },
      false,
    );
    const out = resolve(typeof values.out === 'string' ? values.out : join('runs', `demo-${new Date().toISOString().replace(/[:.]/g, '-')}`));
    const started = Date.now();
    const elapsed = () => `${Math.round((Date.now() - started) / 1000)}s`.padStart(5);
    const log = (line: string) => io.stderr.write(`[${elapsed()}] ${line}\n`);
    const backend = await initBackend();
    log(`fedcl demo → ${out}\n        compute backend: ${formatBackendReport(backend)}`);
    const result = await runDemo({
      out,
      sites: numberOption('sites', values.sites as string | undefined, DEMO_DEFAULTS.sites, 1, 16),
      perSite: numberOption('per-site', values['per-site'] as string | undefined, DEMO_DEFAULTS.perSite, 20, 100000),
      rounds: numberOption('rounds', values.rounds as string | undefined, DEMO_DEFAULTS.rounds, 1, 1000),
      localEpochs: numberOption('epochs', values.epochs as string | undefined, DEMO_DEFAULTS.localEpochs, 1, 1000),
      labelFraction: numberOption('label-fraction', values['label-fraction'] as string | undefined, DEMO_DEFAULTS.labelFraction, 1e-4, 1),
      seed: numberOption('seed', values.seed as string | undefined, 1, 0, 2 ** 31 - 1),
      holdOutTest: values['hold-out-test'] === true,
      log,
      onCoordinator: (c) => log(`    coordinator: ${c.url} — watch it live in the console: ${c.console.url} (${c.console.signIn})`),
    });
    io.stdout.write(`\n${comparisonTable(result)}\nfinished in ${Math.round(result.seconds)} s; everything is in ${out} (numbers: ${join(out, 'comparison.json')}; reports: ${join(out, 'classifiers', '<task>', '<encoder>', 'draw-<n>', 'report.html')})\n`);
    return 0;
  },
};
