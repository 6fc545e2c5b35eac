import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';

/** One labelled image: an absolute DICOM path and its class name. */
export interface LabelledFile {
  path: string;
  label: string;
}

export class LabelsError extends Error {
  override readonly name = 'LabelsError';
}

/** Splits one CSV line (RFC 4180 quoting: "a,b" and "" for a quote). */
function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(field);
      field = '';
    } else field += ch;
  }
  out.push(field);
  return out.map((f) => f.trim());
}

/**
 * Reads a `path,label` CSV (header required; extra columns ignored). Relative paths are
 * relative to the CSV's folder. Labels are class names or 0/1.
 */
export function readLabels(csvPath: string): LabelledFile[] {
  let text: string;
  try {
    text = readFileSync(csvPath, 'utf8');
  } catch (err) {
    throw new LabelsError(`cannot read labels file ${csvPath}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new LabelsError(`${csvPath} is empty: expected a header 'path,label' and one row per image`);
  const header = splitCsvLine(lines[0]!).map((h) => h.toLowerCase());
  const pi = header.indexOf('path');
  const li = header.indexOf('label');
  if (pi < 0 || li < 0) throw new LabelsError(`${csvPath}: the header must name 'path' and 'label' columns, got '${lines[0]}'`);
  if (lines.length === 1) throw new LabelsError(`${csvPath} has a header but no rows: nothing to train or evaluate on`);
  const base = dirname(resolve(csvPath));
  return lines.slice(1).map((line, k) => {
    const f = splitCsvLine(line);
    const path = f[pi] ?? '';
    const label = f[li] ?? '';
    if (!path || !label) throw new LabelsError(`${csvPath}:${k + 2}: every row needs a path and a label, got '${line}'`);
    return { path: isAbsolute(path) ? path : resolve(base, path), label };
  });
}

const NEGATIVE = /^(0|normal|negative|healthy|no[ _-]?finding|benign|absent|false)$/i;

/**
 * The class whose probability is the anomaly score of a binary task: `explicit` when given,
 * else '1', else the one class that is not a usual negative name (normal, negative, healthy, 0…).
 */
export function positiveClassOf(classes: readonly string[], explicit?: string): string {
  if (explicit !== undefined) {
    if (!classes.includes(explicit)) throw new LabelsError(`--positive '${explicit}' is not one of the classes ${classes.join(', ')}`);
    return explicit;
  }
  if (classes.includes('1')) return '1';
  const nonNegative = classes.filter((c) => !NEGATIVE.test(c));
  if (nonNegative.length === 1) return nonNegative[0]!;
  throw new LabelsError(`cannot tell which of ${classes.join(', ')} is the anomaly: give --positive CLASS`);
}

/**
 * Stratified subsample: round(fraction · n_c) files of each class c (at least one), chosen by a
 * seeded shuffle, returned in input order.
 */
export function stratifiedSubsample<T extends { label: string }>(rows: readonly T[], fraction: number, seed: number): T[] {
  if (!(fraction > 0 && fraction <= 1)) throw new LabelsError(`--label-fraction must be in (0, 1], got ${fraction}`);
  let s = (seed * 2654435761) >>> 0 || 1;
  const rand = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
  const byClass = new Map<string, number[]>();
  rows.forEach((r, i) => byClass.set(r.label, [...(byClass.get(r.label) ?? []), i]));
  const keep = new Set<number>();
  for (const idx of [...byClass.keys()].sort().map((k) => byClass.get(k)!)) {
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    for (const i of idx.slice(0, Math.max(1, Math.round(fraction * idx.length)))) keep.add(i);
  }
  return rows.filter((_, i) => keep.has(i));
}
