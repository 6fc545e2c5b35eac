import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BinaryMetrics, RocCurve } from '@fedcl/ssl';

/** What `fedcl finetune` / `fedcl evaluate` measured, as written to metrics.json. */
export interface EvaluationReport {
  kind: 'finetune' | 'evaluate';
  classes: string[];
  positiveClass?: string;
  mode?: 'linear' | 'full';
  encoder?: string;
  labelFraction?: number;
  seed?: number;
  train?: { n: number; perClass: Record<string, number> };
  test: { n: number; perClass: Record<string, number> };
  /** Binary tasks: AUC and, at the Youden threshold, sensitivity, specificity, accuracy, with 95% bootstrap CIs. */
  binary?: Omit<BinaryMetrics, 'roc'>;
  /** Tasks with more than two classes: accuracy and one-vs-rest macro AUC. */
  multiclass?: { accuracy: number; macroAuc: number; perClassAuc: (number | null)[] };
  roc?: { fpr: number[]; tpr: number[] };
  seconds: number;
}

export function perClass(labels: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of labels) out[l] = (out[l] ?? 0) + 1;
  return out;
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** The ROC curve as a standalone SVG (axes, chance diagonal, curve, AUC in the legend). */
export function rocSvg(roc: RocCurve, auc: { estimate: number; lo: number; hi: number }, title: string): string {
  const size = 360;
  const m = 48;
  const plot = size - 2 * m;
  const x = (f: number) => (m + f * plot).toFixed(1);
  const y = (t: number) => (size - m - t * plot).toFixed(1);
  const points = Array.from(roc.fpr, (f, k) => `${x(f)},${y(roc.tpr[k]!)}`).join(' ');
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map((v) => `<line x1="${x(v)}" y1="${y(0)}" x2="${x(v)}" y2="${(size - m + 5).toFixed(1)}" stroke="#333"/><text x="${x(v)}" y="${size - m + 18}" text-anchor="middle">${v}</text>` +
      `<line x1="${m - 5}" y1="${y(v)}" x2="${m}" y2="${y(v)}" stroke="#333"/><text x="${m - 8}" y="${(Number(y(v)) + 4).toFixed(1)}" text-anchor="end">${v}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" font-family="sans-serif" font-size="11">
<rect width="100%" height="100%" fill="#fff"/>
<text x="${size / 2}" y="20" text-anchor="middle" font-size="13">${esc(title)}</text>
<rect x="${m}" y="${m}" width="${plot}" height="${plot}" fill="none" stroke="#333"/>
<line x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" stroke="#aaa" stroke-dasharray="4 4"/>
${ticks}
<polyline points="${points}" fill="none" stroke="#c0392b" stroke-width="2"/>
<text x="${x(0.55)}" y="${y(0.1)}">AUC ${auc.estimate.toFixed(3)} [${auc.lo.toFixed(3)}, ${auc.hi.toFixed(3)}]</text>
<text x="${size / 2}" y="${size - 10}" text-anchor="middle">1 − specificity (false positive rate)</text>
<text transform="translate(14 ${size / 2}) rotate(-90)" text-anchor="middle">sensitivity (true positive rate)</text>
</svg>
`;
}

const ci = (v: { estimate: number; lo: number; hi: number }) => `${v.estimate.toFixed(3)} <small>[${v.lo.toFixed(3)}, ${v.hi.toFixed(3)}]</small>`;

/** A self-contained HTML report (no external resources: it opens offline). */
export function reportHtml(r: EvaluationReport, svg: string | undefined): string {
  const rows: [string, string][] = [
    ['Classes', r.classes.map(esc).join(', ') + (r.positiveClass ? ` (anomaly: <b>${esc(r.positiveClass)}</b>)` : '')],
    ...(r.encoder ? [['Encoder', esc(r.encoder)] as [string, string]] : []),
    ...(r.mode ? [['Mode', r.mode === 'linear' ? 'linear probe (frozen encoder)' : 'full fine-tune (LP-FT)'] as [string, string]] : []),
    ...(r.labelFraction !== undefined ? [['Labels used', `${(r.labelFraction * 100).toFixed(1)} % of the training set`] as [string, string]] : []),
    ...(r.train ? [['Training images', `${r.train.n} (${Object.entries(r.train.perClass).map(([k, v]) => `${esc(k)} ${v}`).join(', ')})`] as [string, string]] : []),
    ['Test images', `${r.test.n} (${Object.entries(r.test.perClass).map(([k, v]) => `${esc(k)} ${v}`).join(', ')})`],
  ];
  const metrics: [string, string][] = r.binary
    ? [
        ['AUC', ci(r.binary.auc)],
        ['Sensitivity', ci(r.binary.sensitivity)],
        ['Specificity', ci(r.binary.specificity)],
        ['Accuracy', ci(r.binary.accuracy)],
        ['Youden threshold', r.binary.threshold.toFixed(4)],
      ]
    : r.multiclass
      ? [['Accuracy', r.multiclass.accuracy.toFixed(3)], ['Macro AUC (one-vs-rest)', r.multiclass.macroAuc.toFixed(3)]]
      : [];
  const table = (t: [string, string][]) => `<table>${t.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('')}</table>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>fedcl ${r.kind} report</title>
<style>body{font-family:sans-serif;max-width:52em;margin:2em auto;color:#222}th{text-align:left;padding-right:1.5em;font-weight:600}td,th{padding:.2em .4em}small{color:#666}</style>
</head><body>
<h1>fedcl ${r.kind} report</h1>
${table(rows)}
<h2>Test metrics</h2>
${table(metrics)}
${r.binary ? '<p><small>Intervals: 95 % stratified percentile bootstrap (2000 resamples). The Youden threshold is chosen on the test set itself and again in every resample.</small></p>' : ''}
${svg ? `<h2>ROC curve</h2>${svg}` : ''}
</body></html>
`;
}

/** Writes metrics.json, roc.svg (binary) and report.html into `dir`; returns the paths. */
export function writeReport(dir: string, r: EvaluationReport, roc?: RocCurve): string[] {
  const files = [join(dir, 'metrics.json')];
  const body = roc ? { ...r, roc: { fpr: Array.from(roc.fpr), tpr: Array.from(roc.tpr) } } : r;
  writeFileSync(files[0]!, `${JSON.stringify(body, null, 2)}\n`);
  let svg: string | undefined;
  if (roc && r.binary) {
    svg = rocSvg(roc, r.binary.auc, `ROC — ${r.positiveClass ?? 'positive'} vs rest`);
    files.push(join(dir, 'roc.svg'));
    writeFileSync(files.at(-1)!, svg);
  }
  files.push(join(dir, 'report.html'));
  writeFileSync(files.at(-1)!, reportHtml(r, svg));
  return files;
}
