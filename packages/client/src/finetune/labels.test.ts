import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LabelsError, positiveClassOf, readLabels, stratifiedSubsample } from './labels.js';

test('readLabels: header, quoting, relative paths, BOM and CRLF', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedcl-labels-'));
  const csv = join(dir, 'l.csv');
  writeFileSync(csv, '\uFEFFpath,label,site\r\na/1.dcm,normal,x\r\n"/abs/b, c.dcm","nodule ""large""",y\r\n\r\n');
  assert.deepEqual(readLabels(csv), [
    { path: join(dir, 'a/1.dcm'), label: 'normal' },
    { path: '/abs/b, c.dcm', label: 'nodule "large"' },
  ]);
});

test('readLabels refuses a missing file, an empty file, a missing header and empty fields with clear messages', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedcl-labels-'));
  const f = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));
  const bad = (p: string, re: RegExp) => assert.throws(() => readLabels(p), (e: Error) => e instanceof LabelsError && re.test(e.message));
  bad(join(dir, 'nope.csv'), /cannot read labels file .*nope\.csv: no such file/);
  bad(f('empty.csv', ''), /is empty/);
  bad(f('header.csv', 'path,label\n'), /has a header but no rows/);
  bad(f('cols.csv', 'file,class\na,1\n'), /must name 'path' and 'label'/);
  bad(f('blank.csv', 'path,label\na.dcm,\n'), /:2: every row needs a path and a label/);
});

test('positive class: explicit, then 1, then the non-negative name', () => {
  assert.equal(positiveClassOf(['0', '1']), '1');
  assert.equal(positiveClassOf(['nodule', 'normal']), 'nodule');
  assert.equal(positiveClassOf(['a', 'b'], 'a'), 'a');
  assert.throws(() => positiveClassOf(['a', 'b']), /give --positive/);
  assert.throws(() => positiveClassOf(['a', 'b'], 'c'), /'c' is not one of the classes/);
});

test('stratified subsample keeps class proportions, at least one per class, reproducibly', () => {
  const rows = Array.from({ length: 200 }, (_, i) => ({ id: i, label: i < 40 ? 'anomaly' : 'normal' }));
  const a = stratifiedSubsample(rows, 0.1, 3);
  assert.equal(a.filter((r) => r.label === 'anomaly').length, 4);
  assert.equal(a.filter((r) => r.label === 'normal').length, 16);
  assert.deepEqual(stratifiedSubsample(rows, 0.1, 3), a);
  assert.notDeepEqual(stratifiedSubsample(rows, 0.1, 4), a);
  assert.deepEqual(a.map((r) => r.id), [...a.map((r) => r.id)].sort((x, y) => x - y), 'input order kept');
  const tiny = stratifiedSubsample(rows, 0.001, 1);
  assert.deepEqual(tiny.map((r) => r.label).sort(), ['anomaly', 'normal']);
  assert.equal(stratifiedSubsample(rows, 1, 0).length, 200);
  assert.throws(() => stratifiedSubsample(rows, 0, 0), /label-fraction must be in \(0, 1\]/);
});
