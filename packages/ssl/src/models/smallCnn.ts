import type { BodyBuilder, LayerFactory } from './convEncoder.js';

/**
 * Small CNN body: four conv3×3 (stride 2, padding 1)–norm–relu layers, widths [w, 2w, 4w, 8w].
 * Feature dimension 8w; a 64² input leaves 4×4 maps before pooling. Names 'conv{1-4}', 'norm{1-4}'.
 */
export const smallCnnBody: BodyBuilder = <T>(layers: LayerFactory<T>, config: Parameters<BodyBuilder>[1]) => {
  const widths = [1, 2, 4, 8].map((f) => f * config.width);
  const stages = widths.map((cout, i) => {
    const cin = i === 0 ? config.inChannels : widths[i - 1]!;
    return { conv: layers.conv(`conv${i + 1}`, 3, cin, cout, 2, 1), norm: layers.norm(`norm${i + 1}`, cout) };
  });
  return {
    featureDim: widths[3]!,
    body: (x: T, training: boolean) => stages.reduce((h, { conv, norm }) => layers.relu(norm(conv(h), training)), x),
  };
};
