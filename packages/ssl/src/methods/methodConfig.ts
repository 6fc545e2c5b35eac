import type { EncoderConfig } from '../models/types.js';
import type { HeadSpec } from '../heads/types.js';
import type { MethodConfig, MethodName } from './types.js';
import { encoderConfig } from '../models/encoderConfig.js';
import { byolPrediction, byolProjection, mocoV2Projection, simclrProjection } from '../heads/presets.js';
import { checkInt, checkRange, checkTemperature } from '../losses/validate.js';
import { SslConfigError } from './errors.js';

/** A method config with every default filled in and validated. */
export interface ResolvedMethodConfig {
  method: MethodName;
  encoder: EncoderConfig;
  projector: HeadSpec;
  predictor?: HeadSpec;
  seed: number;
  temperature?: number;
  queueSize?: number;
  momentum?: number;
  tauBase?: number;
  margin?: number;
  mining?: 'batch-hard' | 'semi-hard';
}

/** Feature dimension D of an encoder config (both layouts end in 8·width channels). */
export const featureDimOf = (c: EncoderConfig): number => 8 * c.width;

/**
 * Method defaults and validation in one place (solo-learn style). Defaults: SimCLR τ 0.5 (lightly),
 * MoCo v2 τ 0.2, queue 4096 (paper 65536; a site's dataset is small, and the queue should not
 * exceed it), momentum 0.99 (paper 0.999; faster for small data), BYOL τ_base 0.996, SupCon τ 0.1,
 * triplet margin 0.2 with batch-hard mining. Heads follow the papers with hidden sizes scaled to D.
 */
const KEYS: Record<MethodName, string[]> = {
  simclr: ['temperature'],
  moco: ['temperature', 'queueSize', 'momentum'],
  byol: ['predictor', 'tauBase'],
  supcon: ['temperature'],
  triplet: ['margin', 'mining'],
};

export function resolveMethodConfig(config: MethodConfig): ResolvedMethodConfig {
  const allowed = KEYS[config.method as MethodName];
  if (allowed) {
    const unknown = Object.keys(config).filter((k) => !['method', 'encoder', 'projector', 'seed', ...allowed].includes(k));
    if (unknown.length) {
      throw new SslConfigError(`${config.method}: unknown option(s) ${unknown.join(', ')}; allowed: encoder, projector, seed, ${allowed.join(', ')}`);
    }
  }
  const encoder = encoderConfig(config.encoder);
  const d = featureDimOf(encoder);
  const seed = config.seed ?? 0;
  if (!Number.isInteger(seed)) throw new SslConfigError(`seed = ${seed} must be an integer`);
  const where = config.method;
  switch (config.method) {
    case 'simclr':
      return { method: 'simclr', encoder, seed, projector: config.projector ?? simclrProjection(d, d, 128), temperature: checkTemperature(where, config.temperature ?? 0.5) };
    case 'moco':
      return {
        method: 'moco', encoder, seed,
        projector: config.projector ?? mocoV2Projection(d, d, 128),
        temperature: checkTemperature(where, config.temperature ?? 0.2),
        queueSize: checkInt(where, 'queueSize', config.queueSize ?? 4096, 1, 1 << 20),
        momentum: checkRange(where, 'momentum', config.momentum ?? 0.99, 0, 1),
      };
    case 'byol': {
      const projector = config.projector ?? byolProjection(d, 2 * d, 256);
      const out = projector[projector.length - 1]!.out;
      return {
        method: 'byol', encoder, seed, projector,
        predictor: config.predictor ?? byolPrediction(out, 2 * d, out),
        tauBase: checkRange(where, 'tauBase', config.tauBase ?? 0.996, 0, 1),
      };
    }
    case 'supcon':
      return { method: 'supcon', encoder, seed, projector: config.projector ?? simclrProjection(d, d, 128), temperature: checkTemperature(where, config.temperature ?? 0.1) };
    case 'triplet': {
      const mining = config.mining ?? 'batch-hard';
      if (mining !== 'batch-hard' && mining !== 'semi-hard') throw new SslConfigError(`triplet: mining = '${String(mining)}' is unknown; use 'batch-hard' or 'semi-hard'`);
      return { method: 'triplet', encoder, seed, projector: config.projector ?? simclrProjection(d, d, 128), margin: checkRange(where, 'margin', config.margin ?? 0.2, 0, 10), mining };
    }
    default:
      throw new SslConfigError(`method = '${String((config as { method: unknown }).method)}' is unknown; use simclr, moco, byol, supcon or triplet`);
  }
}
