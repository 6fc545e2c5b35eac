import type { BodyBuilder, LayerFactory } from './convEncoder.js';

/**
 * ResNet-18 body [0]: stem, then four stages of two BasicBlocks, widths [w, 2w, 4w, 8w], strides
 * [1, 2, 2, 2]. Feature dimension 8w. Layout and padding follow torchvision's resnet18, with the
 * small-input stem of the CIFAR variant (3×3 stride 1, no max-pool) when stem = 'small'.
 *
 * [0] Deep Residual Learning, He et al. 2016, arXiv:1512.03385, Table 1.
 *
 * Names: 'stem/conv', 'stem/norm', 'stage{1-4}/block{0,1}/{conv1,norm1,conv2,norm2}',
 * 'stage{2-4}/block0/shortcut/{conv,norm}'.
 */
export const resnet18Body: BodyBuilder = <T>(layers: LayerFactory<T>, config: Parameters<BodyBuilder>[1]) => {
  const w = config.width;
  const stem = config.stem === 'auto' ? (config.inputSize <= 64 ? 'small' : 'imagenet') : config.stem;
  const stemConv = stem === 'small'
    ? layers.conv('stem/conv', 3, config.inChannels, w, 1, 1)
    : layers.conv('stem/conv', 7, config.inChannels, w, 2, 3);
  const stemNorm = layers.norm('stem/norm', w);
  const blocks: Array<(x: T, training: boolean) => T> = [];
  let cin = w;
  [w, 2 * w, 4 * w, 8 * w].forEach((cout, s) => {
    for (let b = 0; b < 2; b++) {
      const stride = b === 0 && s > 0 ? 2 : 1;
      blocks.push(basicBlock(layers, `stage${s + 1}/block${b}`, cin, cout, stride));
      cin = cout;
    }
  });
  return {
    featureDim: 8 * w,
    body: (x: T, training: boolean) => {
      let h = layers.relu(stemNorm(stemConv(x), training));
      if (stem === 'imagenet') h = layers.maxPool(h);
      for (const block of blocks) h = block(h, training);
      return h;
    },
  };
};

/** BasicBlock: conv3×3(stride)–norm–relu–conv3×3–norm, plus identity or 1×1(stride)–norm shortcut, relu. */
function basicBlock<T>(layers: LayerFactory<T>, name: string, cin: number, cout: number, stride: number) {
  const conv1 = layers.conv(`${name}/conv1`, 3, cin, cout, stride, 1);
  const norm1 = layers.norm(`${name}/norm1`, cout);
  const conv2 = layers.conv(`${name}/conv2`, 3, cout, cout, 1, 1);
  const norm2 = layers.norm(`${name}/norm2`, cout);
  const project = stride !== 1 || cin !== cout;
  const scConv = project ? layers.conv(`${name}/shortcut/conv`, 1, cin, cout, stride, 0) : undefined;
  const scNorm = project ? layers.norm(`${name}/shortcut/norm`, cout) : undefined;
  return (x: T, training: boolean): T => {
    const h = norm2(conv2(layers.relu(norm1(conv1(x), training))), training);
    const shortcut = scConv && scNorm ? scNorm(scConv(x), training) : x;
    return layers.relu(layers.add(h, shortcut));
  };
}
