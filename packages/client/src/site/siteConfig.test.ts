import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSiteConfig, SiteConfigError, validateSiteConfig } from './siteConfig.js';

test('site config resolves paths against its file and fills defaults', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedcl-sitecfg-'));
  const path = join(dir, 'site.yaml');
  writeFileSync(path, 'coordinator: http://127.0.0.1:8470/\nname: site-a\ndata:\n  dir: ./dicom\n  modalities: [cr, DX]\n');
  const c = loadSiteConfig(path);
  assert.equal(c.coordinator, 'http://127.0.0.1:8470');
  assert.equal(c.data.dir, join(dir, 'dicom'));
  assert.deepEqual(c.data.modalities, ['CR', 'DX']);
  assert.equal(c.identity, join(dir, 'identity'));
  assert.equal(c.workDir, join(dir, 'work'));
  assert.equal(c.enrolmentToken, undefined);
});

test('site config refuses unknown keys, bad URLs, names and backends, naming the field', () => {
  const ok = { coordinator: 'http://h:1', name: 'a', data: { dir: '/d' } };
  const bad = (raw: unknown, re: RegExp) => assert.throws(() => validateSiteConfig(raw, '/'), (e: Error) => e instanceof SiteConfigError && re.test(e.message));
  bad({ ...ok, coordinater: 'x' }, /unknown setting 'coordinater'/);
  bad({ ...ok, coordinator: 'ftp://h' }, /'coordinator' must be an http\(s\) URL/);
  bad({ ...ok, name: 'a b' }, /'name' may hold/);
  bad({ ...ok, backend: 'cuda' }, /'backend' must be one of/);
  bad({ ...ok, data: { dir: '/d', modality: ['CR'] } }, /unknown setting 'data.modality'/);
  bad({ ...ok, data: { dir: '/d', modalities: ['chest'] } }, /data.modalities/);
  bad('just text', /expected a mapping/);
  bad({ ...ok, monitor: { label: 'x.csv' } }, /'monitor' must be a mapping with only 'labels'/);
  assert.equal(validateSiteConfig({ ...ok, monitor: { labels: 'm.csv' } }, '/base').monitor?.labels, '/base/m.csv');
  assert.equal(validateSiteConfig({ ...ok, data: { dir: '/d', holdout: 'eval/test.csv' } }, '/base').data.holdout, '/base/eval/test.csv');
  bad({ ...ok, data: { dir: '/d', holdout: 3 } }, /'data.holdout' must be the path of a path,label CSV/);
  assert.throws(() => loadSiteConfig('/nonexistent/site.yaml'), /cannot read \/nonexistent\/site.yaml/);
});

test('the example configs/site.yaml is valid', () => {
  const path = new URL('../../../../configs/site.yaml', import.meta.url).pathname;
  const c = loadSiteConfig(path);
  assert.equal(c.name, 'hospital-a');
  assert.match(c.data.dir, /runs\/demo\/data\/site-1$/);
});
