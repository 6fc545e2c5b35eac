import type { Encoder, EncoderConfig } from './types.js';
import { ConvEncoder, type BodyBuilder } from './convEncoder.js';
import { encoderConfig } from './encoderConfig.js';
import { resnet18Body } from './resnet18.js';
import { smallCnnBody } from './smallCnn.js';

/**
 * Builds an encoder from a (partial) config, weights named '<prefix>/…' and initialised from `seed`
 * (same config + seed ⇒ identical weights).
 */
export function createEncoder(config: Partial<EncoderConfig> = {}, options: { prefix?: string; seed?: number } = {}): Encoder {
  const c = encoderConfig(config);
  return new ConvEncoder(c, bodyFor(c), options.prefix ?? 'encoder', options.seed ?? 0);
}

/** The body description of an architecture. */
export function bodyFor(config: EncoderConfig): BodyBuilder {
  return config.arch === 'resnet18' ? resnet18Body : smallCnnBody;
}
