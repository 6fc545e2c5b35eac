import type { EncoderConfig } from './types.js';
import { SslConfigError } from '../methods/errors.js';

export const DEFAULT_ENCODER: EncoderConfig = {
  arch: 'resnet18',
  width: 32,
  inChannels: 1,
  inputSize: 64,
  norm: 'gn',
  groups: 8,
  stem: 'auto',
};

/** Fills defaults (also for keys given as undefined) and validates; throws SslConfigError naming the bad key and value. */
export function encoderConfig(partial: Partial<EncoderConfig> = {}): EncoderConfig {
  const unknown = Object.keys(partial).filter((k) => !(k in DEFAULT_ENCODER));
  if (unknown.length) {
    throw new SslConfigError(`encoder: unknown option(s) ${unknown.join(', ')}; allowed: ${Object.keys(DEFAULT_ENCODER).join(', ')}`);
  }
  const given = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  const c = { ...DEFAULT_ENCODER, ...given } as EncoderConfig;
  const bad = (key: string, want: string) =>
    new SslConfigError(`encoder.${key} = ${JSON.stringify((c as unknown as Record<string, unknown>)[key])} is invalid; expected ${want}`);
  if (c.arch !== 'resnet18' && c.arch !== 'smallcnn') throw bad('arch', "'resnet18' or 'smallcnn'");
  if (!Number.isInteger(c.width) || c.width < 1 || c.width > 512) throw bad('width', 'an integer in [1, 512]');
  if (!Number.isInteger(c.inChannels) || c.inChannels < 1 || c.inChannels > 16) throw bad('inChannels', 'an integer in [1, 16]');
  if (!Number.isInteger(c.inputSize) || c.inputSize < 8 || c.inputSize > 2048) throw bad('inputSize', 'an integer in [8, 2048]');
  if (c.norm !== 'gn' && c.norm !== 'bn') throw bad('norm', "'gn' or 'bn'");
  if (!Number.isInteger(c.groups) || c.groups < 1) throw bad('groups', 'a positive integer');
  if (c.stem !== 'small' && c.stem !== 'imagenet' && c.stem !== 'auto') throw bad('stem', "'small', 'imagenet' or 'auto'");
  return c;
}
