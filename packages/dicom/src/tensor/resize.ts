/**
 * Image resampling for single-channel float images, separable per axis:
 *  - downscaling an axis averages the source pixels each output pixel covers, weighted by the
 *    exact fraction of each source pixel inside the output pixel (area / box integration);
 *  - upscaling an axis interpolates linearly between pixel centres (half-pixel centres,
 *    edges clamped), i.e. bilinear in 2-D, the convention of PIL's and PyTorch's
 *    `bilinear` with align_corners = false.
 * Each axis picks its own rule, so a 600×3 image fitted into 256² is area-averaged along
 * rows and interpolated along columns.
 */

/** For one output index: the first source index and the weights of consecutive sources. */
interface Taps {
  start: Int32Array;
  count: Int32Array;
  /** Weights of output i at weights[i * maxTaps + k], k < count[i]; each row sums to 1. */
  weights: Float64Array;
  maxTaps: number;
}

/** Taps of exact area averaging from n source pixels onto m < n output pixels. */
function areaTaps(n: number, m: number): Taps {
  const scale = n / m;
  const maxTaps = Math.ceil(scale) + 1;
  const start = new Int32Array(m);
  const count = new Int32Array(m);
  const weights = new Float64Array(m * maxTaps);
  for (let i = 0; i < m; i++) {
    const lo = i * scale;
    const hi = Math.min(n, (i + 1) * scale);
    const first = Math.floor(lo);
    const last = Math.min(n - 1, Math.ceil(hi) - 1);
    start[i] = first;
    count[i] = last - first + 1;
    for (let j = first; j <= last; j++) {
      const overlap = Math.min(hi, j + 1) - Math.max(lo, j);
      weights[i * maxTaps + (j - first)] = overlap / scale;
    }
  }
  return { start, count, weights, maxTaps };
}

/** Taps of linear interpolation from n source pixels onto m ≥ n output pixels. */
function linearTaps(n: number, m: number): Taps {
  const scale = n / m;
  const maxTaps = 2;
  const start = new Int32Array(m);
  const count = new Int32Array(m);
  const weights = new Float64Array(m * maxTaps);
  for (let i = 0; i < m; i++) {
    const x = Math.min(n - 1, Math.max(0, (i + 0.5) * scale - 0.5));
    const x0 = Math.min(Math.floor(x), n - 1);
    const t = x - x0;
    start[i] = x0;
    if (x0 + 1 < n && t > 0) {
      count[i] = 2;
      weights[i * maxTaps] = 1 - t;
      weights[i * maxTaps + 1] = t;
    } else {
      count[i] = 1;
      weights[i * maxTaps] = 1;
    }
  }
  return { start, count, weights, maxTaps };
}

function taps(n: number, m: number): Taps {
  return m < n ? areaTaps(n, m) : linearTaps(n, m);
}

/**
 * Resamples a row-major single-channel image.
 * @param src [height, width] values, row-major.
 * @returns [outHeight, outWidth] values, row-major.
 */
export function resizeImage(src: Float32Array, height: number, width: number, outHeight: number, outWidth: number): Float32Array {
  checkDims(src, height, width);
  if (!(Number.isInteger(outHeight) && Number.isInteger(outWidth) && outHeight > 0 && outWidth > 0)) {
    throw new RangeError(`resize target must be positive integers, got ${outHeight}×${outWidth}`);
  }
  if (outHeight === height && outWidth === width) return src.slice();
  if (height % outHeight === 0 && width % outWidth === 0) return blockMean(src, width, outHeight, outWidth, height / outHeight, width / outWidth);
  // Horizontal pass into float64 so the two passes round once, at the end.
  const tmp = new Float64Array(height * outWidth);
  if (outWidth === width) {
    for (let i = 0; i < tmp.length; i++) tmp[i] = src[i]!;
  } else {
    const h = taps(width, outWidth);
    for (let y = 0; y < height; y++) {
      const row = y * width;
      const out = y * outWidth;
      for (let x = 0; x < outWidth; x++) {
        const s = row + h.start[x]!;
        const w = x * h.maxTaps;
        let acc = 0;
        for (let k = 0; k < h.count[x]!; k++) acc += src[s + k]! * h.weights[w + k]!;
        tmp[out + x] = acc;
      }
    }
  }
  const dst = new Float32Array(outHeight * outWidth);
  if (outHeight === height) {
    for (let i = 0; i < dst.length; i++) dst[i] = tmp[i]!;
    return dst;
  }
  const v = taps(height, outHeight);
  // Row-wise accumulation: each tap adds a whole source row, a contiguous sweep.
  const acc = new Float64Array(outWidth);
  for (let y = 0; y < outHeight; y++) {
    acc.fill(0);
    const s = v.start[y]!;
    for (let k = 0; k < v.count[y]!; k++) {
      const weight = v.weights[y * v.maxTaps + k]!;
      const row = (s + k) * outWidth;
      for (let x = 0; x < outWidth; x++) acc[x] += tmp[row + x]! * weight;
    }
    const out = y * outWidth;
    for (let x = 0; x < outWidth; x++) dst[out + x] = acc[x]!;
  }
  return dst;
}

/**
 * Area averaging by whole factors (512 → 256, 1024 → 256): each output pixel is the mean of an
 * fy × fx block, the same result as the general taps with less work per pixel.
 */
function blockMean(src: Float32Array, width: number, outHeight: number, outWidth: number, fy: number, fx: number): Float32Array {
  const dst = new Float32Array(outHeight * outWidth);
  const acc = new Float64Array(outWidth);
  const inv = 1 / (fx * fy);
  for (let oy = 0; oy < outHeight; oy++) {
    acc.fill(0);
    for (let dy = 0; dy < fy; dy++) {
      const row = (oy * fy + dy) * width;
      for (let ox = 0; ox < outWidth; ox++) {
        const base = row + ox * fx;
        let sum = 0;
        for (let dx = 0; dx < fx; dx++) sum += src[base + dx]!;
        acc[ox] += sum;
      }
    }
    const out = oy * outWidth;
    for (let ox = 0; ox < outWidth; ox++) dst[out + ox] = acc[ox]! * inv;
  }
  return dst;
}

/** The size an image of height × width takes when fitted, aspect preserved, inside size × size. */
export function fitSize(height: number, width: number, size: number): { height: number; width: number } {
  const scale = size / Math.max(height, width);
  return {
    height: Math.max(1, Math.min(size, Math.round(height * scale))),
    width: Math.max(1, Math.min(size, Math.round(width * scale))),
  };
}

/**
 * Fits an image inside a size × size square, aspect preserved, and pads it centred: the
 * extra rows/columns are split evenly, the odd one going to the bottom/right.
 * @param src [height, width] values, row-major.
 * @param padValue value of the padding pixels (the caller's normalised "black", usually 0).
 * @returns [size, size] values, row-major, and where the image sits inside the square.
 */
export function resizeAndPad(
  src: Float32Array,
  height: number,
  width: number,
  size: number,
  padValue = 0,
): { data: Float32Array; top: number; left: number; height: number; width: number } {
  checkDims(src, height, width);
  if (!(Number.isInteger(size) && size > 0)) throw new RangeError(`target size must be a positive integer, got ${size}`);
  const fit = fitSize(height, width, size);
  const resized = resizeImage(src, height, width, fit.height, fit.width);
  const top = Math.floor((size - fit.height) / 2);
  const left = Math.floor((size - fit.width) / 2);
  const data = new Float32Array(size * size);
  if (padValue !== 0) data.fill(padValue);
  for (let y = 0; y < fit.height; y++) {
    data.set(resized.subarray(y * fit.width, (y + 1) * fit.width), (top + y) * size + left);
  }
  return { data, top, left, height: fit.height, width: fit.width };
}

function checkDims(src: Float32Array, height: number, width: number): void {
  if (!(Number.isInteger(height) && Number.isInteger(width) && height > 0 && width > 0)) {
    throw new RangeError(`image dimensions must be positive integers, got ${height}×${width}`);
  }
  if (src.length !== height * width) {
    throw new RangeError(`image has ${src.length} values, expected ${height}×${width} = ${height * width}`);
  }
}
