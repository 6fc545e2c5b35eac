import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';

/** configs/site.yaml: everything a site agent needs. Relative paths are relative to the file. */
export interface SiteConfig {
  /** Coordinator base URL, e.g. https://fedcl.example-hospital-network:8470 */
  coordinator: string;
  /** Site name shown on the console (letters, digits, . _ -). */
  name: string;
  /** Directory holding the site key and enrolment (created by enrolment, mode 0700). */
  identity: string;
  /** One-time enrolment token; used only when `identity` holds no enrolment yet. */
  enrolmentToken?: string;
  data: {
    /** Folder of DICOM files, scanned recursively. */
    dir: string;
    /** Keep only these modalities, e.g. [CR, DX]. */
    modalities?: string[];
    /**
     * A `path,label` CSV (e.g. an evaluation set's labels) whose images are kept out of
     * pretraining, so a later evaluation on them is not transductive.
     */
    holdout?: string;
  };
  /** Index, salt and scratch files: stays on site. */
  workDir: string;
  /** Force a compute backend (tfjs-node-gpu, tfjs-node, wasm, cpu); default: the best available. */
  backend?: 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';
  /**
   * Optional local kNN monitor: a `path,label` CSV of a few labelled local images. After each
   * round the site scores its encoder on them and sends only the accuracy (an aggregate number).
   */
  monitor?: { labels: string };
}

export class SiteConfigError extends Error {
  override readonly name = 'SiteConfigError';
}

const KEYS = new Set(['coordinator', 'name', 'identity', 'enrolmentToken', 'data', 'workDir', 'backend', 'monitor']);

/** Validates a parsed site config (paths resolved against `baseDir`), naming any bad field. */
export function validateSiteConfig(raw: unknown, baseDir: string, source = 'site config'): SiteConfig {
  const fail = (msg: string) => new SiteConfigError(`${source}: ${msg}`);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw fail('expected a mapping of settings');
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r)) if (!KEYS.has(k)) throw fail(`unknown setting '${k}' (known: ${[...KEYS].join(', ')})`);
  const str = (k: string, v: unknown): string => {
    if (typeof v !== 'string' || v.length === 0) throw fail(`'${k}' must be a non-empty string`);
    return v;
  };
  const coordinator = str('coordinator', r.coordinator);
  if (!/^https?:\/\/[^\s/]+/.test(coordinator)) throw fail(`'coordinator' must be an http(s) URL, got '${coordinator}'`);
  const name = str('name', r.name);
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(name)) throw fail(`'name' may hold letters, digits, '.', '_' and '-' (1–64), got '${name}'`);
  const data = r.data as Record<string, unknown> | undefined;
  if (typeof data !== 'object' || data === null) throw fail("'data' must be a mapping with 'dir'");
  for (const k of Object.keys(data)) if (k !== 'dir' && k !== 'modalities' && k !== 'holdout') throw fail(`unknown setting 'data.${k}'`);
  if (data.holdout !== undefined && (typeof data.holdout !== 'string' || data.holdout === '')) throw fail("'data.holdout' must be the path of a path,label CSV");
  const modalities = data.modalities;
  if (modalities !== undefined && (!Array.isArray(modalities) || !modalities.every((m) => typeof m === 'string' && /^[A-Z]{2}$/i.test(m)))) {
    throw fail("'data.modalities' must be a list of modality codes such as [CR, DX, MR]");
  }
  const backends = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];
  if (r.backend !== undefined && !backends.includes(r.backend as string)) throw fail(`'backend' must be one of ${backends.join(', ')}`);
  const config: SiteConfig = {
    coordinator: coordinator.replace(/\/+$/, ''),
    name,
    identity: resolve(baseDir, str('identity', r.identity ?? './identity')),
    data: {
      dir: resolve(baseDir, str('data.dir', data.dir)),
      ...(modalities ? { modalities: (modalities as string[]).map((m) => m.toUpperCase()) } : {}),
      ...(typeof data.holdout === 'string' ? { holdout: resolve(baseDir, data.holdout) } : {}),
    },
    workDir: resolve(baseDir, str('workDir', r.workDir ?? './work')),
  };
  if (r.enrolmentToken !== undefined) config.enrolmentToken = str('enrolmentToken', r.enrolmentToken);
  if (r.backend !== undefined) config.backend = r.backend as SiteConfig['backend'];
  if (r.monitor !== undefined) {
    const m = r.monitor as Record<string, unknown> | null;
    if (typeof m !== 'object' || m === null || Object.keys(m).some((k) => k !== 'labels')) throw fail("'monitor' must be a mapping with only 'labels'");
    config.monitor = { labels: resolve(baseDir, str('monitor.labels', m.labels)) };
  }
  return config;
}

export function loadSiteConfig(path: string): SiteConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new SiteConfigError(`cannot read ${path}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new SiteConfigError(`${path} is not valid YAML: ${(err as Error).message}`);
  }
  return validateSiteConfig(raw, dirname(resolve(path)), path);
}
