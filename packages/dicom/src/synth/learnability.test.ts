import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ElementList } from '../write/element.js';
import { python } from '../write/testing/referenceTools.js';
import { patientIdOf, planSite } from './cohort.js';
import { renderImage } from './renderImage.js';
import { siteProfile } from './siteProfiles.js';
import { splitPatients } from './split.js';

const SIZE = 128;
const GRID = 64;

function attr(ds: ElementList, tag: number): number {
  const v = ds.find((e) => e.tag === tag)?.value;
  return typeof v === 'number' ? v : 0;
}

/**
 * What a reader's display stage gives (rescale, window, MONOCHROME1 inversion, [0, 1]),
 * block-averaged to GRID × GRID: the input a linear probe on raw pixels would see.
 */
function displayFeatures(ds: ElementList): Float32Array {
  const stored = ds.find((e) => e.tag === 0x7fe00010)!.value as Uint16Array | Int16Array;
  const slope = ds.some((e) => e.tag === 0x00281053) ? attr(ds, 0x00281053) : 1;
  const intercept = attr(ds, 0x00281052);
  const centre = attr(ds, 0x00281050);
  const width = attr(ds, 0x00281051);
  const inverse = ds.find((e) => e.tag === 0x00280004)!.value === 'MONOCHROME1';
  const out = new Float32Array(GRID * GRID);
  const block = SIZE / GRID;
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const m = stored[y * SIZE + x]! * slope + intercept;
      let d = Math.min(1, Math.max(0, (m - (centre - width / 2)) / width));
      if (inverse) d = 1 - d;
      out[Math.floor(y / block) * GRID + Math.floor(x / block)]! += d / (block * block);
    }
  }
  return out;
}

test('the anomaly task is learnable but not trivial: blob-detector features 0.65 < AUC < 0.99, raw-pixel linear probe < 0.9', (t) => {
  const seed = 21;
  const features: number[][] = [];
  const labels: number[] = [];
  const isTest: boolean[] = [];
  for (const k of [1, 2, 3]) {
    const plans = planSite(seed, k, siteProfile(k), 160);
    const rendered = plans.map((p) => renderImage(seed, p, SIZE));
    const positive = new Map<string, boolean>();
    plans.forEach((p, i) => positive.set(patientIdOf(p), (positive.get(patientIdOf(p)) ?? false) || rendered[i]!.label === 1));
    const testPatients = splitPatients(positive, 0.3, seed);
    plans.forEach((p, i) => {
      features.push(Array.from(displayFeatures(rendered[i]!.dataset), (v) => Math.round(v * 1e4) / 1e4));
      labels.push(rendered[i]!.label);
      isTest.push(testPatients.has(patientIdOf(p)));
    });
  }
  // In numpy (independent of this code base): L2 logistic regression, Mann–Whitney AUC on held-out
  // patients, for (a) the raw 32² pixels and (b) local blob-detector features: the difference of
  // Gaussians (σ 1 and 2.5 px at 64², the nodule/lesion scale) max-pooled over a 4 × 4 grid.
  const result = python(
    `
import json, sys
import numpy as np
d = json.load(sys.stdin)
X = np.array(d["x"], dtype=np.float64).reshape(-1, 64, 64); y = np.array(d["y"], dtype=np.float64); te = np.array(d["test"], dtype=bool)
def blur(imgs, sigma):
    f = np.fft.fftfreq(64)
    g = np.exp(-2 * (np.pi * sigma) ** 2 * (f[:, None] ** 2 + f[None, :] ** 2))
    return np.real(np.fft.ifft2(np.fft.fft2(imgs) * g))
def auc_of(F):
    mu = F[~te].mean(0); sd = F[~te].std(0) + 1e-6
    Z = (F - mu) / sd
    Xtr, ytr = Z[~te], y[~te]
    w = np.zeros(Z.shape[1]); b = 0.0
    sw = np.where(ytr == 1, (1 - ytr.mean()) / ytr.mean(), 1.0)
    for _ in range(3000):
        p = 1 / (1 + np.exp(-(Xtr @ w + b)))
        g = sw * (p - ytr)
        w -= 0.05 * (Xtr.T @ g / len(ytr) + 3e-2 * w)
        b -= 0.05 * g.mean()
    s = Z[te] @ w + b
    yt = y[te]
    pos, neg = s[yt == 1], s[yt == 0]
    return float(((pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()) / (len(pos) * len(neg)))
pixels = X.reshape(-1, 32, 2, 32, 2).mean((2, 4)).reshape(len(X), -1)
dog = blur(X, 1.0) - blur(X, 2.5)
blobs = dog.reshape(len(X), 4, 16, 4, 16).max((2, 4)).reshape(len(X), -1)
yt = y[te]
print(json.dumps({"pixels": auc_of(pixels), "blobs": auc_of(blobs), "train": int((~te).sum()), "test": int(te.sum()), "testPositives": int(yt.sum())}))
`,
    JSON.stringify({ x: features, y: labels, test: isTest }),
  );
  const r = JSON.parse(result) as { pixels: number; blobs: number; train: number; test: number; testPositives: number };
  t.diagnostic(`AUC on held-out patients: linear probe on 32² pixels ${r.pixels.toFixed(3)}, blob-detector features ${r.blobs.toFixed(3)} (train ${r.train}, test ${r.test}, ${r.testPositives} test positives)`);
  assert.ok(r.testPositives >= 20, `${r.testPositives} positives in test`);
  assert.ok(r.pixels < 0.9, `pixel AUC ${r.pixels.toFixed(3)}: the anomaly must not be linearly separable in raw pixels`);
  assert.ok(r.blobs > 0.65, `blob AUC ${r.blobs.toFixed(3)}: the anomaly must be learnable by a position-invariant detector`);
  assert.ok(r.blobs < 0.99, `blob AUC ${r.blobs.toFixed(3)}: normal anatomy must make it less than trivial`);
});
