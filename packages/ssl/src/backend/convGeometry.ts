import { backend_util } from '@tensorflow/tfjs-core';
import type { ConvGeometry } from './convGraphs.js';

type Pad = 'valid' | 'same' | number | backend_util.ExplicitPadding;

/** Attributes every tfjs 2-D convolution kernel carries. */
export interface ConvAttrs {
  strides: [number, number] | number;
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * tfjs's own convolution geometry (output size, asymmetric 'same' pads) for NHWC input
 * [B,H,W,Ci] and HWIO filter [kh,kw,Ci,Co], in the provider's flat form.
 */
export function convGeometry(inShape: number[], filterShape: number[], attrs: ConvAttrs): ConvGeometry {
  const info = backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: info.padInfo.top,
    padBottom: info.padInfo.bottom,
    padLeft: info.padInfo.left,
    padRight: info.padInfo.right,
  };
}

/** True for layouts the fedcl kernels handle (NHWC); NCHW calls go to the backend's own kernel. */
export function isChannelsLast(attrs: ConvAttrs): boolean {
  return attrs.dataFormat === undefined || attrs.dataFormat === 'NHWC';
}
