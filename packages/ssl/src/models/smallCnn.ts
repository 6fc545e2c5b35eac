import * as tf from '@tensorflow/tfjs-core';
import type { BodyBuilder } from './convEncoder.js';

/**
 * Small CNN body: four conv3×3 (stride 2, padding 1)–norm–relu layers, widths [w, 2w, 4w, 8w].
 * Feature dimension 8w; a 64² input leaves 4×4 maps before pooling. Names 'conv{1-4}', 'norm{1-4}'.
 */
export const smallCnnBody: BodyBuilder = (layers, config) => {
  const widths = [1, 2, 4, 8].map((f) => f * config.width);
  const stages = widths.map((cout, i) => {
    const cin = i === 0 ? config.inChannels : widths[i - 1]!;
    return { conv: layers.conv(`conv${i + 1}`, 3, cin, cout, 2, 1), norm: layers.norm(`norm${i + 1}`, cout) };
  });
  return {
    featureDim: widths[3]!,
    body: (x, training) => tf.tidy(() => {
      let h = x;
      for (const { conv, norm } of stages) h = tf.relu(norm(conv(h), training)) as tf.Tensor4D;
      return h;
    }),
  };
};
