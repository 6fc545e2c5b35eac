import { createEncoder, importEncoder, type Encoder, type EncoderConfig } from '@fedcl/ssl';

/**
 * The encoder a classifier starts from: a pretrained export (a directory written by
 * `fedcl simulate`/`exportEncoder`, or its .safetensors file), or `none` for a randomly
 * initialised encoder of `scratch` architecture — the from-scratch baseline.
 */
export async function encoderFrom(source: string, scratch: Partial<EncoderConfig>, seed: number): Promise<Encoder> {
  if (source === 'none') return createEncoder(scratch, { seed });
  const { config, weights } = await importEncoder(source);
  const encoder = createEncoder(config);
  try {
    const { federated, local } = encoder.weights();
    for (const [name, v] of [...federated, ...local]) {
      const t = weights.get(name);
      if (!t) throw new Error(`${source} lacks encoder weight '${name}'`);
      v.assign(t);
    }
  } catch (err) {
    encoder.dispose();
    throw err;
  } finally {
    for (const t of weights.values()) t.dispose();
  }
  return encoder;
}
