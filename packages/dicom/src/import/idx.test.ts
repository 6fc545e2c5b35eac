import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readDicomFile } from '../parse.js';
import { Rng } from '../synth/prng.js';
import { readF32, runReference, type RefJob } from '../pixel/testing/pydicomReference.js';
import { dirichlet, dirichletSplit, fashionMnistFiles, iidSplit, IDX_SCANNER_PROFILES, IdxError, importIdx, labelSkew, parseIdx, readIdxImages } from './idx.js';

/** An IDX buffer of unsigned bytes, built by hand: magic 00 00 08 nd, big-endian dims, data. */
function idx(dims: number[], data: ArrayLike<number>): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = 0x08;
  head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(Array.from(data))]);
}

test('parseIdx reads a hand-made IDX buffer, gzipped or not, and refuses malformed ones', () => {
  // 2 images of 2×3: bytes 0…11 (big-endian dims 00 00 00 02, 00 00 00 02, 00 00 00 03).
  const raw = Buffer.from([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3, 0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]);
  for (const buf of [raw, gzipSync(raw)]) {
    const a = parseIdx(buf);
    assert.deepEqual(a.dims, [2, 2, 3]);
    assert.deepEqual(Array.from(a.data), [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]);
  }
  // A dimension above 255 checks the big-endian reading of the sizes.
  assert.deepEqual(parseIdx(idx([300], new Uint8Array(300))).dims, [300]);
  assert.throws(() => parseIdx(raw.subarray(0, raw.length - 1)), (e: Error) => e instanceof IdxError && /size mismatch/.test(e.message));
  assert.throws(() => parseIdx(Buffer.from([1, 0, 8, 1, 0, 0, 0, 0])), /two zero bytes/);
  assert.throws(() => parseIdx(Buffer.from([0, 0, 0x0d, 1, 0, 0, 0, 0])), /not supported/);
  assert.throws(() => parseIdx(Buffer.from([0, 0, 8, 2, 0, 0])), /header truncated/);
});

test('Fashion-MNIST from dataset-fashion-mnist: shapes and the documented balanced classes', () => {
  const f = fashionMnistFiles();
  const train = readIdxImages(f.trainImages, f.trainLabels);
  const t10k = readIdxImages(f.testImages, f.testLabels);
  assert.deepEqual([train.n, train.rows, train.cols, t10k.n], [60000, 28, 28, 10000]);
  const counts = (l: Uint8Array) => Array.from({ length: 10 }, (_, c) => l.filter((x) => x === c).length);
  assert.deepEqual(counts(train.labels), new Array(10).fill(6000));
  assert.deepEqual(counts(t10k.labels), new Array(10).fill(1000));
});

test('importIdx: our reader and pydicom read back exactly the stored samples; without noise they invert to the IDX pixels', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedcl-idx-'));
  try {
    // 12 images of 5×4 covering 0 and 255, labels 0…2.
    const n = 12, rows = 5, cols = 4;
    const rng = new Rng(7);
    const pixels = Uint8Array.from({ length: n * rows * cols }, (_, i) => (i % 37 === 0 ? 255 : i % 41 === 0 ? 0 : rng.int(0, 255)));
    const labels = Uint8Array.from({ length: n }, (_, i) => i % 3);
    writeFileSync(join(dir, 'img.idx.gz'), gzipSync(idx([n, rows, cols], pixels)));
    writeFileSync(join(dir, 'lab.idx'), idx([n], labels));
    for (const noisy of [false, true]) {
      const profiles = noisy ? IDX_SCANNER_PROFILES : IDX_SCANNER_PROFILES.map((p) => ({ ...p, noise: 0 }));
      const out = join(dir, noisy ? 'noisy' : 'clean');
      const summary = importIdx({ images: join(dir, 'img.idx.gz'), labels: join(dir, 'lab.idx'), out, sites: 3, split: 'iid', seed: 3, anomalyClass: 2, prefix: 't', profiles });
      assert.deepEqual(summary.sites.map((x) => x.count), [4, 4, 4]);
      const csv = readFileSync(summary.labelsCsv, 'utf8').trim().split('\n');
      assert.equal(csv[0], 'path,label,class,site,index');
      assert.equal(csv.length, n + 1);
      const jobs: RefJob[] = [];
      const ours: { stored: Float32Array; index: number; site: number }[] = [];
      for (const line of csv.slice(1)) {
        const [path, label, cls, site, index] = line.split(',') as [string, string, string, string, string];
        const k = Number(index);
        assert.equal(label, labels[k] === 2 ? '1' : '0');
        assert.equal(cls, String(labels[k]));
        const file = join(out, path);
        const img = await readDicomFile(file);
        assert.equal(img.info.rows, rows);
        assert.equal(img.info.columns, cols);
        const siteNo = Number(site.replace('site-', ''));
        const p = profiles[siteNo - 1]!;
        assert.equal(img.info.photometricInterpretation, p.photometric);
        ours.push({ stored: await img.frame(0, 'stored'), index: k, site: siteNo });
        jobs.push({ file, frame: 0, stage: 'stored' as const, out: join(dir, `ref-${noisy}-${k}.f32`) });
      }
      const ref = runReference(jobs);
      ours.forEach((o, j) => {
        assert.ok('shape' in ref[j]!, JSON.stringify(ref[j]));
        assert.deepEqual(Array.from(readF32(jobs[j]!.out)), Array.from(o.stored), `pydicom differs on image ${o.index}`);
        const p = profiles[o.site - 1]!;
        const src = pixels.subarray(o.index * rows * cols, (o.index + 1) * rows * cols);
        if (!noisy) {
          // Invert the documented mapping: v = (stored − offset) / gain, p = v or 255 − v.
          const back = Array.from(o.stored, (x) => {
            const v = (x - p.offset) / p.gain;
            return p.photometric === 'MONOCHROME1' ? 255 - v : v;
          });
          assert.deepEqual(back, Array.from(src), `image ${o.index} (${p.name}) does not give back the IDX pixels`);
        } else if (p.noise > 0) {
          // Noisy: within 5 σ of the noiseless value, and not all equal to it.
          const exact = Array.from(src, (v) => p.offset + p.gain * (p.photometric === 'MONOCHROME1' ? 255 - v : v));
          let moved = 0;
          exact.forEach((e, i) => {
            const x = o.stored[i]!;
            if (x !== Math.min(2 ** p.bitsStored - 1, Math.max(0, e))) moved++;
            assert.ok(Math.abs(x - e) <= 5 * p.noise, `stored ${x} vs ${e}`);
          });
          assert.ok(moved > rows * cols / 2, `noise moved only ${moved} samples`);
        }
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('dirichlet: component means 1/k and variances (1/k)(1 − 1/k)/(kα + 1), for α < 1 and α > 1', () => {
  for (const alpha of [0.3, 2]) {
    const k = 3, draws = 20000;
    const rng = new Rng(11);
    const sum = [0, 0, 0], sq = [0, 0, 0];
    for (let d = 0; d < draws; d++) {
      const p = dirichlet(rng, k, alpha);
      assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-12);
      p.forEach((x, i) => { sum[i]! += x; sq[i]! += x * x; });
    }
    const varExpected = (1 / k) * (1 - 1 / k) / (k * alpha + 1);
    for (let i = 0; i < k; i++) {
      const mean = sum[i]! / draws;
      const variance = sq[i]! / draws - mean * mean;
      assert.ok(Math.abs(mean - 1 / k) < 0.01, `α ${alpha}: mean ${mean}`);
      assert.ok(Math.abs(variance / varExpected - 1) < 0.05, `α ${alpha}: variance ${variance} vs ${varExpected}`);
    }
  }
});

test('dirichletSplit on Fashion-MNIST labels: a partition, deterministic per seed, and label-skewed (α 0.5) unlike IID', () => {
  const f = fashionMnistFiles();
  const labels = readIdxImages(f.trainImages, f.trainLabels).labels.subarray(0, 6000);
  const a = dirichletSplit(labels, 3, 0.5, 1);
  const all = a.flat().sort((x, y) => x - y);
  assert.deepEqual(all, Array.from({ length: 6000 }, (_, i) => i), 'every image exactly once');
  assert.deepEqual(dirichletSplit(labels, 3, 0.5, 1), a, 'same seed, same split');
  assert.notDeepEqual(dirichletSplit(labels, 3, 0.5, 2), a, 'another seed, another split');
  // Skew as total variation distance of a site's class mix from the pooled mix (0 = same mix).
  // Expected for Dir(0.5) over 3 sites and 10 classes: ≈ 0.3–0.5; IID: ≈ 0.02 with 2000 images a site.
  const skew = labelSkew(labels, a);
  const iid = labelSkew(labels, iidSplit(6000, 3, 1));
  const mean = (xs: number[]) => xs.reduce((p, q) => p + q, 0) / xs.length;
  assert.ok(mean(skew) > 0.2, `Dirichlet(0.5) mean skew ${mean(skew)}`);
  assert.ok(Math.max(...iid) < 0.05, `IID skew ${iid}`);
  assert.ok(mean(labelSkew(labels, dirichletSplit(labels, 3, 1000, 1))) < 0.08, 'α → ∞ approaches IID');
  // Hand check of labelSkew: site 0 holds only class 0 of a pooled half/half set → TV 0.5.
  assert.deepEqual(labelSkew([0, 0, 1, 1], [[0, 1], [2, 3]]), [0.5, 0.5]);
});
