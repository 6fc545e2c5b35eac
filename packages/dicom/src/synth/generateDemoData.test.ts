import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { WRITABLE_TRANSFER_SYNTAXES as TS } from '../write/transferSyntax.js';
import { dcmdumpErrors, decompress, pydicomPixels, pydicomRead } from '../write/testing/referenceTools.js';
import { planSite } from './cohort.js';
import { generateDemoData } from './generateDemoData.js';
import { renderImage } from './renderImage.js';
import { siteProfile } from './siteProfiles.js';

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'fedcl-demo-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

const OPTIONS = { sites: 3, perSite: 24, size: 64 } as const;

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(dir, f)).isFile()).sort();
}

function readCsv(path: string): { path: string; label: string }[] {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  assert.equal(header, 'path,label');
  return lines.map((l) => {
    const [p, label] = l.split(',');
    return { path: resolve(dirname(path), p!), label: label! };
  });
}

test('same seed → byte-identical tree (worker threads or not); another seed → different files', async () => {
  const a = join(root, 'a');
  const b = join(root, 'b');
  const c = join(root, 'c');
  await generateDemoData({ ...OPTIONS, seed: 11, out: a });
  await generateDemoData({ ...OPTIONS, seed: 11, out: b, workers: 0 });
  await generateDemoData({ ...OPTIONS, seed: 12, out: c });
  const fa = files(a);
  assert.deepEqual(files(b), fa);
  assert.ok(fa.filter((f) => f.endsWith('.dcm')).length === 72, `${fa.length} files`);
  for (const f of fa) assert.ok(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), `${f} identical for the same seed`);
  const shared = files(c).filter((f) => f.endsWith('.dcm') && fa.includes(f));
  const same = shared.filter((f) => readFileSync(join(a, f)).equals(readFileSync(join(c, f))));
  assert.equal(same.length, 0, `no file identical across seeds (${shared.length} shared paths)`);
});

test('demo data: dcmdump -E clean, pydicom reads exact pixels, site profiles as declared, patient-level split, labels match', async () => {
  const out = join(root, 'main');
  const seed = 4;
  const summary = await generateDemoData({ ...OPTIONS, seed, out });
  const dcm = files(out).filter((f) => f.endsWith('.dcm')).map((f) => join(out, f));
  assert.equal(dcm.length, 72);
  for (const f of dcm) {
    const d = dcmdumpErrors(f);
    assert.equal(d.stderr, '', `dcmdump -E ${f}: ${d.stderr}`);
    assert.equal(d.status, 0, `dcmdump -E ${f} exit status`);
  }

  // What the generator meant to write, regenerated from the plan (stored pixels, label).
  const expected = new Map<string, { pixels: ArrayLike<number>; label: 0 | 1; ts: string; site: number; patient: string }>();
  for (let k = 1; k <= 3; k++) {
    for (const plan of planSite(seed, k, siteProfile(k), OPTIONS.perSite)) {
      const img = renderImage(seed, plan, OPTIONS.size);
      const pixels = img.dataset.find((e) => e.tag === 0x7fe00010)!.value as Uint16Array;
      expected.set(join(out, plan.relativePath), { pixels, label: img.label, ts: plan.transferSyntaxUID, site: k, patient: `DEMO-S${k}-${String(plan.patient).padStart(4, '0')}` });
    }
  }
  // JPEG-LS / JPEG 2000 are read through GDCM's decompression (pydicom alone has no decoder for them).
  const readable = dcm.map((f) => {
    const ts = expected.get(f)!.ts;
    if (ts !== TS.jpegLsLossless && ts !== TS.jpeg2000Lossless) return f;
    const raw = `${f}.raw.dcm`;
    decompress('gdcmconv', f, raw);
    return raw;
  });
  const read = pydicomRead(readable);
  const seen = { ts: new Map<number, Set<string>>(), bits: new Map<number, Set<string>>(), photometric: new Map<number, Set<string>>() };
  read.forEach((r, i) => {
    const e = expected.get(dcm[i]!)!;
    assert.equal(r.error, null, `${dcm[i]}: ${r.error}`);
    const got = pydicomPixels(r);
    const bad = got.findIndex((v, k) => v !== e.pixels[k]);
    assert.equal(bad, -1, `${dcm[i]}: pixel ${bad} is ${got[bad]}, generator wrote ${e.pixels[bad]}`);
    const a = r.attrs as Record<string, string>;
    assert.equal(a.PatientID, e.patient, `${dcm[i]} PatientID`);
    assert.match(a.PatientName!, /^DEMO\^PATIENT\^S\d-\d{4}$/, 'obviously fake name');
    const profile = siteProfile(e.site);
    const isMr = a.Modality === 'MR';
    assert.equal(a.Modality, isMr ? 'MR' : profile.xray.modality, `${dcm[i]} modality`);
    assert.equal(Number(a.BitsStored), isMr ? profile.mr.bitsStored : profile.xray.bitsStored, `${dcm[i]} BitsStored`);
    assert.equal(Number(a.PixelRepresentation), isMr ? profile.mr.pixelRepresentation : 0, `${dcm[i]} PixelRepresentation`);
    assert.equal(a.PhotometricInterpretation, isMr ? 'MONOCHROME2' : profile.xray.photometric, `${dcm[i]} photometric`);
    if (!isMr) {
      assert.equal(Number(a.RescaleSlope), profile.xray.rescaleSlope, `${dcm[i]} RescaleSlope`);
      assert.equal(Number(a.RescaleIntercept), profile.xray.rescaleIntercept, `${dcm[i]} RescaleIntercept`);
    }
    const originalTs = readable[i] === dcm[i] ? r.transferSyntax! : e.ts;
    assert.ok(profile.transferSyntaxes.some(([ts]) => ts === originalTs), `${dcm[i]}: ${originalTs} is one of ${profile.id}'s syntaxes`);
    for (const [key, value] of [['ts', originalTs], ['bits', a.BitsStored], ['photometric', a.PhotometricInterpretation]] as const) {
      const m = seen[key];
      m.set(e.site, (m.get(e.site) ?? new Set()).add(value!));
    }
  });
  // The sites really differ (non-IID): no two sites use the same set of transfer syntaxes or bit depths.
  const sig = (m: Map<number, Set<string>>, k: number) => [...m.get(k)!].sort().join('|');
  assert.equal(new Set([1, 2, 3].map((k) => sig(seen.ts, k))).size, 3, 'transfer syntax mix differs per site');
  assert.equal(new Set([1, 2, 3].map((k) => sig(seen.bits, k))).size, 3, 'bit depths differ per site');
  assert.ok([1, 2, 3].some((k) => seen.photometric.get(k)!.has('MONOCHROME1')), 'some site stores MONOCHROME1');

  const train = readCsv(join(out, 'labels/train.csv'));
  const testRows = readCsv(join(out, 'labels/test.csv'));
  assert.equal(train.length + testRows.length, 72);
  const patientOf = (p: string) => expected.get(p)!.patient;
  const trainPatients = new Set(train.map((r) => patientOf(r.path)));
  for (const r of testRows) assert.ok(!trainPatients.has(patientOf(r.path)), `${patientOf(r.path)} is in both train and test`);
  for (const r of [...train, ...testRows]) assert.equal(r.label, String(expected.get(r.path)!.label), `${r.path} label`);
  const positives = [...expected.values()].filter((e) => e.label === 1).length;
  assert.ok(positives > 0.1 * 72 && positives < 0.45 * 72, `${positives}/72 positive: a minority`);
  assert.equal(summary.train.images + summary.test.images, 72);
  // One task per modality: the same rows, split the same way, X-ray (CR/DX) and MR apart.
  const modalityOf = new Map(read.map((r, i) => [dcm[i]!, (r.attrs as Record<string, string>).Modality!]));
  for (const [task, want] of [['xray', ['CR', 'DX']], ['mr', ['MR']]] as const) {
    const t = summary.tasks[task];
    const tr = readCsv(t.train);
    const te = readCsv(t.test);
    assert.deepEqual(tr.map((r) => r.path), train.filter((r) => (want as readonly string[]).includes(modalityOf.get(r.path)!)).map((r) => r.path), `${task} train rows`);
    assert.deepEqual(te.map((r) => r.path), testRows.filter((r) => (want as readonly string[]).includes(modalityOf.get(r.path)!)).map((r) => r.path), `${task} test rows`);
    assert.equal(t.trainImages, tr.length);
    assert.equal(t.testAnomalies, te.filter((r) => r.label === '1').length);
  }
  assert.equal(summary.tasks.xray.trainImages + summary.tasks.mr.trainImages, train.length);
  const anomalies = readFileSync(join(out, 'labels/anomalies.csv'), 'utf8').trim().split('\n').slice(1);
  assert.equal(anomalies.length, positives, 'one anomalies.csv row per positive image');
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { pathsRelativeTo: string; sites: unknown[] };
  assert.equal(manifest.pathsRelativeTo, 'csv-folder');
  assert.equal(manifest.sites.length, 3);
});

test('a rerun into the same folder replaces the earlier data set; a folder with other content is refused', async () => {
  const out = join(root, 'rerun');
  await generateDemoData({ sites: 2, perSite: 8, size: 32, seed: 1, out });
  await generateDemoData({ sites: 1, perSite: 4, size: 32, seed: 1, out });
  const left = files(out).filter((f) => f.endsWith('.dcm'));
  assert.equal(left.length, 4, `only the second run's images remain: ${left.join(' ')}`);
  const other = join(root, 'other');
  await generateDemoData({ sites: 1, perSite: 1, size: 32, seed: 1, out: join(other, 'x') });
  await assert.rejects(generateDemoData({ sites: 1, perSite: 1, size: 32, seed: 1, out: other }), /not empty and holds no earlier demo data/);
});

test('absolute label paths when asked', async () => {
  const out = join(root, 'abs');
  await generateDemoData({ sites: 1, perSite: 3, size: 32, seed: 1, out, absolutePaths: true });
  const line = readFileSync(join(out, 'labels/train.csv'), 'utf8').split('\n')[1]!;
  assert.ok(line.startsWith(`${out}/site-1/`), line);
});
