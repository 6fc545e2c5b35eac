#!/usr/bin/env node
// Runs every *.test.ts under packages/*/src and test/ with node:test through tsx.
// Usage: node scripts/test.mjs [path-prefix ...]   e.g. `npm run test:unit -- packages/dicom`
// Env: FEDCL_TEST_CONCURRENCY (default 2) — test files run in parallel processes.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const roots = ['packages', 'test'];
const LONGEST = join('test', 'demo.test.ts');

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

const prefixes = process.argv.slice(2);
const files = roots
  .flatMap((r) => walk(join(root, r), []))
  .filter((f) => prefixes.length === 0 || prefixes.some((p) => f.startsWith(p.replace(/^\.\//, ''))))
  .sort()
  // The longest file (the demo's margin test, several minutes) starts first so the others run beside it.
  .sort((a, b) => Number(b === LONGEST) - Number(a === LONGEST));

if (files.length === 0) {
  console.error(`no test files match ${prefixes.join(' ') || '(all)'}`);
  process.exit(1);
}

const concurrency = process.env.FEDCL_TEST_CONCURRENCY ?? '2';
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
