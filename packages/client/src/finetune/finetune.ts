import { mkdirSync } from 'node:fs';
import {
  binaryMetrics,
  classifierProbabilities,
  disposeClassifier,
  fitClassifier,
  loadClassifier,
  macroAuc,
  saveClassifier,
  type Classifier,
  type EncoderConfig,
  type ImageSet,
} from '@fedcl/ssl';
import { encoderFrom } from './encoderSource.js';
import { loadLabelledImages, type ImageCache } from './images.js';
import { LabelsError, positiveClassOf, readLabels, stratifiedSubsample, type LabelledFile } from './labels.js';
import { perClass, writeReport, type EvaluationReport } from './report.js';

export interface FinetuneOptions {
  /** Encoder directory/.safetensors, or 'none' for the from-scratch baseline. */
  encoder: string;
  train: string;
  test: string;
  out: string;
  labelFraction?: number;
  mode?: 'linear' | 'full';
  seed?: number;
  positive?: string;
  /** Architecture of the from-scratch encoder (encoder 'none'); defaults match `fedcl simulate`. */
  scratch?: Partial<EncoderConfig>;
  /** Full mode: epochs (default 30). */
  epochs?: number;
  /** Decoded images shared across calls on the same files (see ImageCache). */
  imageCache?: ImageCache;
  log?: (line: string) => void;
}

/** Classes of a training set; refuses a single class. */
function classesOf(rows: readonly LabelledFile[], file: string): string[] {
  const classes = [...new Set(rows.map((r) => r.label))].sort();
  if (classes.length < 2) throw new LabelsError(`${file} holds a single class ('${classes[0]}'): a classifier needs at least two`);
  return classes;
}

function indexLabels(rows: readonly LabelledFile[], classes: readonly string[], file: string): Int32Array {
  return Int32Array.from(rows, (r, i) => {
    const k = classes.indexOf(r.label);
    if (k < 0) throw new LabelsError(`${file}:${i + 2}: unknown label '${r.label}' (the training classes are ${classes.join(', ')})`);
    return k;
  });
}

/** Metrics of `c` on a labelled set. */
export function evaluateOn(c: Classifier, classes: readonly string[], positiveClass: string | undefined, set: ImageSet, labels: Int32Array, seed: number) {
  const probs = classifierProbabilities(c, set);
  const k = classes.length;
  if (k === 2) {
    const pos = classes.indexOf(positiveClass!);
    const scores = Float64Array.from({ length: labels.length }, (_, i) => probs[i * 2 + pos]!);
    const m = binaryMetrics(scores, Int32Array.from(labels, (l) => (l === pos ? 1 : 0)), { seed });
    const { roc, ...binary } = m;
    return { probs, binary, roc };
  }
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (probs[i * k + j]! > probs[i * k + best]!) best = j;
    if (best === labels[i]) correct++;
  }
  const auc = macroAuc(probs, labels, k);
  return { probs, multiclass: { accuracy: correct / labels.length, macroAuc: auc.macro, perClassAuc: auc.perClass } };
}

/**
 * `fedcl finetune`: fits a classifier on a stratified `labelFraction` of the training labels
 * (linear probe or full fine-tune) on a pretrained encoder or from scratch, evaluates it on the
 * test labels, and writes the classifier, metrics.json, roc.svg and report.html to `out`.
 */
export async function finetune(o: FinetuneOptions): Promise<EvaluationReport> {
  const t0 = performance.now();
  const log = o.log ?? (() => {});
  const seed = o.seed ?? 0;
  const mode = o.mode ?? 'linear';
  const allTrain = readLabels(o.train);
  const testRows = readLabels(o.test);
  const classes = classesOf(allTrain, o.train);
  const positiveClass = classes.length === 2 ? positiveClassOf(classes, o.positive) : undefined;
  const trainRows = stratifiedSubsample(allTrain, o.labelFraction ?? 1, seed);
  const trainLabels = indexLabels(trainRows, classes, o.train);
  const testLabels = indexLabels(testRows, classes, o.test);

  const encoder = await encoderFrom(o.encoder, { arch: 'resnet18', width: 16, inputSize: 64, ...o.scratch }, seed);
  let classifier: Classifier | undefined;
  try {
    const size = encoder.config.inputSize;
    log(`training on ${trainRows.length} of ${allTrain.length} labelled images (${perClassText(trainRows)}), ${mode} mode, encoder ${o.encoder}, ${size}²`);
    const train = await loadLabelledImages(trainRows, size, o.imageCache);
    classifier = fitClassifier(encoder, { ...train, labels: trainLabels }, classes.length, {
      mode,
      seed,
      ...(o.epochs !== undefined ? { epochs: o.epochs } : {}),
      onEpoch: (e) => log(`epoch ${e.epoch + 1}/${e.epochs}: loss ${e.loss.toFixed(4)}`),
    });
    const test = await loadLabelledImages(testRows, size, o.imageCache);
    const result = evaluateOn(classifier, classes, positiveClass, test, testLabels, seed);
    mkdirSync(o.out, { recursive: true });
    await saveClassifier(o.out, classifier, {
      classes,
      ...(positiveClass !== undefined ? { positiveClass } : {}),
      mode,
      encoderSource: o.encoder,
      extra: { labelFraction: o.labelFraction ?? 1, seed, trainImages: trainRows.length },
    });
    const report: EvaluationReport = {
      kind: 'finetune',
      classes,
      ...(positiveClass !== undefined ? { positiveClass } : {}),
      mode,
      encoder: o.encoder,
      labelFraction: o.labelFraction ?? 1,
      seed,
      train: { n: trainRows.length, perClass: perClass(trainRows.map((r) => r.label)) },
      test: { n: testRows.length, perClass: perClass(testRows.map((r) => r.label)) },
      ...(result.binary ? { binary: result.binary } : {}),
      ...(result.multiclass ? { multiclass: result.multiclass } : {}),
      seconds: (performance.now() - t0) / 1000,
    };
    writeReport(o.out, report, result.roc);
    return report;
  } finally {
    if (classifier) disposeClassifier(classifier);
    else encoder.dispose();
  }
}

function perClassText(rows: readonly LabelledFile[]): string {
  return Object.entries(perClass(rows.map((r) => r.label)))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

/** `fedcl evaluate`: a saved classifier on a labelled test set; writes the report to `out` when given. */
export async function evaluateModel(o: { model: string; test: string; out?: string; seed?: number }): Promise<EvaluationReport> {
  const t0 = performance.now();
  const { classifier, metadata } = await loadClassifier(o.model);
  try {
    const rows = readLabels(o.test);
    const labels = indexLabels(rows, metadata.classes, o.test);
    const set = await loadLabelledImages(rows, classifier.encoder.config.inputSize);
    const result = evaluateOn(classifier, metadata.classes, metadata.positiveClass, set, labels, o.seed ?? 0);
    const report: EvaluationReport = {
      kind: 'evaluate',
      classes: metadata.classes,
      ...(metadata.positiveClass !== undefined ? { positiveClass: metadata.positiveClass } : {}),
      mode: metadata.mode,
      encoder: metadata.encoderSource,
      test: { n: rows.length, perClass: perClass(rows.map((r) => r.label)) },
      ...(result.binary ? { binary: result.binary } : {}),
      ...(result.multiclass ? { multiclass: result.multiclass } : {}),
      seconds: (performance.now() - t0) / 1000,
    };
    if (o.out) {
      mkdirSync(o.out, { recursive: true });
      writeReport(o.out, report, result.roc);
    }
    return report;
  } finally {
    disposeClassifier(classifier);
  }
}

/** `fedcl predict`: class probabilities per file (score = the anomaly class's probability for binary models). */
export async function predictFiles(model: string, files: readonly string[]): Promise<{ file: string; score: number; predicted: string; probabilities: Record<string, number> }[]> {
  const { classifier, metadata } = await loadClassifier(model);
  try {
    const set = await loadLabelledImages(files.map((path) => ({ path, label: '' })), classifier.encoder.config.inputSize);
    const probs = classifierProbabilities(classifier, set);
    const k = metadata.classes.length;
    const pos = metadata.positiveClass !== undefined ? metadata.classes.indexOf(metadata.positiveClass) : -1;
    return set.files.map((file, i) => {
      const p = Array.from(probs.subarray(i * k, (i + 1) * k));
      const best = p.indexOf(Math.max(...p));
      return { file, score: pos >= 0 ? p[pos]! : p[best]!, predicted: metadata.classes[best]!, probabilities: Object.fromEntries(metadata.classes.map((c, j) => [c, p[j]!])) };
    });
  } finally {
    disposeClassifier(classifier);
  }
}
