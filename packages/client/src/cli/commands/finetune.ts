import { resolve } from 'node:path';
import { formatBackendReport, initBackend } from '@fedcl/ssl';
import { type CliIO, type Command, numberOption, parseCommandArgs, UsageError } from '../command.js';
import { evaluateModel, finetune, predictFiles } from '../../finetune/finetune.js';
import type { EvaluationReport } from '../../finetune/report.js';

/** Every command here computes with tfjs: pick the backend first and say which. */
async function startBackend(io: CliIO): Promise<void> {
  io.stderr.write(`compute backend: ${formatBackendReport(await initBackend())}\n`);
}

const ci = (v: { estimate: number; lo: number; hi: number }) => `${v.estimate.toFixed(3)} [${v.lo.toFixed(3)}, ${v.hi.toFixed(3)}]`;

/** The human summary of a report. */
export function summary(r: EvaluationReport): string {
  const lines = [`test: ${r.test.n} images (${Object.entries(r.test.perClass).map(([k, v]) => `${k} ${v}`).join(', ')})`];
  if (r.binary) {
    lines.push(
      `AUC          ${ci(r.binary.auc)}`,
      `sensitivity  ${ci(r.binary.sensitivity)}   at the Youden threshold ${r.binary.threshold.toFixed(4)}`,
      `specificity  ${ci(r.binary.specificity)}`,
      `accuracy     ${ci(r.binary.accuracy)}`,
    );
  }
  if (r.multiclass) lines.push(`accuracy ${r.multiclass.accuracy.toFixed(3)}, macro AUC ${r.multiclass.macroAuc.toFixed(3)}`);
  return `${lines.join('\n')}\n`;
}

export const finetuneCommand: Command = {
  name: 'finetune',
  summary: 'Train an anomaly classifier on a (federated) encoder with few labels',
  usage: `Usage: fedcl finetune --encoder DIR|none --train labels.csv --test labels.csv --out DIR [options]

labels.csv has a header 'path,label': a DICOM file (relative to the CSV) and its class
(a name or 0/1). Trains on a stratified --label-fraction of the training rows, evaluates on the
test rows, and writes DIR/tfjs/ and DIR/classifier.safetensors (the classifier), DIR/metrics.json
(AUC, sensitivity, specificity, accuracy at the Youden threshold, 95% bootstrap CIs),
DIR/roc.svg and DIR/report.html.

Options:
  --encoder DIR|none    a pretrained encoder (the encoder/ directory of 'fedcl simulate', or
                        its .safetensors), or 'none': the same classifier from scratch (baseline)
  --label-fraction F    share of training labels used, in (0, 1] (default 1)
  --mode linear|full    linear probe on the frozen encoder, or full fine-tune (default linear)
  --epochs N            full mode: epochs (default 30)
  --positive CLASS      the anomaly class of a binary task (default: '1' or the non-normal class)
  --seed S              subsampling, initialisation and bootstrap seed (default 0)
  --arch, --width, --size   the from-scratch encoder (default resnet18, 16, 64)
  --json                print metrics.json to stdout
`,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values } = parseCommandArgs(
      argv,
      {
        encoder: { type: 'string' }, train: { type: 'string' }, test: { type: 'string' }, out: { type: 'string' }, 'label-fraction': { type: 'string' },
        mode: { type: 'string' }, epochs: { type: 'string' }, positive: { type: 'string' }, seed: { type: 'string' }, arch: { type: 'string' },
        width: { type: 'string' }, size: { type: 'string' }, json: { type: 'boolean' },
      },
      false,
    );
    for (const k of ['encoder', 'train', 'test', 'out'] as const) if (typeof values[k] !== 'string') throw new UsageError(`--${k} is required`);
    const mode = (values.mode ?? 'linear') as string;
    if (mode !== 'linear' && mode !== 'full') throw new UsageError(`--mode must be linear or full, got '${mode}'`);
    const arch = (values.arch ?? 'resnet18') as string;
    if (arch !== 'resnet18' && arch !== 'smallcnn') throw new UsageError(`--arch must be resnet18 or smallcnn, got '${arch}'`);
    await startBackend(io);
    const report = await finetune({
      encoder: values.encoder === 'none' ? 'none' : resolve(values.encoder as string),
      train: values.train as string,
      test: values.test as string,
      out: values.out as string,
      labelFraction: numberOption('label-fraction', values['label-fraction'] as string | undefined, 1, 1e-6, 1),
      mode,
      seed: numberOption('seed', values.seed as string | undefined, 0, 0, 2 ** 31 - 1),
      ...(values.epochs !== undefined ? { epochs: numberOption('epochs', values.epochs as string, 30, 1, 10000) } : {}),
      ...(typeof values.positive === 'string' ? { positive: values.positive } : {}),
      scratch: { arch, width: numberOption('width', values.width as string | undefined, 16, 1, 512), inputSize: numberOption('size', values.size as string | undefined, 64, 16, 1024) },
      log: (line) => io.stderr.write(`${line}\n`),
    });
    io.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${summary(report)}classifier and report: ${resolve(values.out as string)}\n`);
    return 0;
  },
};

export const evaluateCommand: Command = {
  name: 'evaluate',
  summary: 'Evaluate a fine-tuned classifier on a labelled test set',
  usage: `Usage: fedcl evaluate --model DIR --test labels.csv [--out DIR] [--json]

Scores every test image with the classifier in DIR (written by 'fedcl finetune') and reports AUC,
sensitivity, specificity and accuracy at the Youden threshold with 95% bootstrap CIs. With --out,
writes metrics.json, roc.svg and report.html there.
`,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values } = parseCommandArgs(argv, { model: { type: 'string' }, test: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } }, false);
    if (typeof values.model !== 'string') throw new UsageError('--model is required');
    if (typeof values.test !== 'string') throw new UsageError('--test is required');
    await startBackend(io);
    const report = await evaluateModel({ model: values.model, test: values.test, ...(typeof values.out === 'string' ? { out: values.out } : {}) });
    io.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : summary(report));
    return 0;
  },
};

export const predictCommand: Command = {
  name: 'predict',
  summary: 'Score DICOM files with a fine-tuned classifier',
  usage: `Usage: fedcl predict --model DIR [--format json|csv] FILE...

Prints one score per file: the anomaly class's probability for a binary classifier, with the
predicted class and every class probability (JSON, default) or file,score,predicted (CSV).
`,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(argv, { model: { type: 'string' }, format: { type: 'string' } });
    if (typeof values.model !== 'string') throw new UsageError('--model is required');
    if (positionals.length === 0) throw new UsageError('give at least one DICOM FILE to score');
    const format = (values.format ?? 'json') as string;
    if (format !== 'json' && format !== 'csv') throw new UsageError(`--format must be json or csv, got '${format}'`);
    await startBackend(io);
    const rows = await predictFiles(values.model, positionals.map((p) => resolve(p)));
    if (format === 'json') io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    else io.stdout.write(`file,score,predicted\n${rows.map((r) => `"${r.file.replace(/"/g, '""')}",${r.score},${r.predicted}`).join('\n')}\n`);
    return 0;
  },
};
