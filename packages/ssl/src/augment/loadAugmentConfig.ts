import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { AugmentConfig, Range } from './types.js';
import { SslConfigError } from '../methods/errors.js';

type Obj = Record<string, unknown>;

const OPS: Record<string, string[]> = {
  crop: ['scale', 'ratio'],
  rotate: ['p', 'degrees', 'fill'],
  flip: ['p'],
  brightness: ['p', 'delta'],
  contrast: ['p', 'range'],
  gamma: ['p', 'range'],
  blur: ['p', 'sigma'],
  noise: ['p', 'std'],
};

/**
 * Validates a parsed augmentation config (e.g. from configs/augment/*.yaml). Unknown keys, missing
 * keys and out-of-range values throw SslConfigError naming the key path and value, so a typo in a
 * preset is caught at start-up rather than silently ignored.
 */
export function validateAugmentConfig(raw: unknown, source = 'augment config'): AugmentConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new SslConfigError(`${source}: expected a mapping at the top level`);
  const fail = (path: string, value: unknown, want: string): never => {
    throw new SslConfigError(`${source}: ${path} = ${JSON.stringify(value)} is invalid; expected ${want}`);
  };
  const num = (path: string, v: unknown, lo: number, hi: number): number =>
    typeof v === 'number' && Number.isFinite(v) && v >= lo && v <= hi ? v : fail(path, v, `a number in [${lo}, ${hi}]`);
  const range = (path: string, v: unknown, lo: number, hi: number): Range => {
    if (!Array.isArray(v) || v.length !== 2) return fail(path, v, `[lo, hi] within [${lo}, ${hi}]`);
    const r: Range = [num(`${path}[0]`, v[0], lo, hi), num(`${path}[1]`, v[1], lo, hi)];
    return r[0] <= r[1] ? r : fail(path, v, 'lo ≤ hi');
  };
  const out: AugmentConfig = {};
  for (const [key, value] of Object.entries(raw as Obj)) {
    if (key === 'outputSize') {
      out.outputSize = Number.isInteger(value) && (value as number) >= 8 && (value as number) <= 4096 ? (value as number) : fail(key, value, 'an integer in [8, 4096]');
      continue;
    }
    const allowed = OPS[key];
    if (!allowed) fail(key, value, `one of outputSize, ${Object.keys(OPS).join(', ')} (unknown key)`);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(key, value, 'a mapping');
    const v = value as Obj;
    for (const k of Object.keys(v)) if (!allowed!.includes(k)) fail(`${key}.${k}`, v[k], `one of ${allowed!.join(', ')} (unknown key)`);
    const p = () => num(`${key}.p`, v.p, 0, 1);
    switch (key) {
      case 'crop': out.crop = { scale: range('crop.scale', v.scale, 0.01, 1), ratio: range('crop.ratio', v.ratio, 0.1, 10) }; break;
      case 'rotate': {
        const fill = v.fill ?? 'reflect';
        if (!['constant', 'reflect', 'nearest'].includes(fill as string)) fail('rotate.fill', fill, 'constant, reflect or nearest');
        out.rotate = { p: p(), degrees: num('rotate.degrees', v.degrees, 0, 180), fill: fill as 'reflect' };
        break;
      }
      case 'flip': out.flip = { p: p() }; break;
      case 'brightness': out.brightness = { p: p(), delta: num('brightness.delta', v.delta, 0, 10) }; break;
      case 'contrast': out.contrast = { p: p(), range: range('contrast.range', v.range, 0, 10) }; break;
      case 'gamma': out.gamma = { p: p(), range: range('gamma.range', v.range, 0.05, 20) }; break;
      case 'blur': out.blur = { p: p(), sigma: range('blur.sigma', v.sigma, 0, 20) }; break;
      case 'noise': out.noise = { p: p(), std: range('noise.std', v.std, 0, 10) }; break;
    }
  }
  return out;
}

/** Reads and validates a YAML augmentation preset, e.g. configs/augment/crdx.yaml. */
export function loadAugmentConfig(path: string): AugmentConfig {
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new SslConfigError(`${path}: cannot read augmentation preset: ${(e as Error).message}`);
  }
  return validateAugmentConfig(raw, path);
}
