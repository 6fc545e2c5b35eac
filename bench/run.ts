/**
 * Benchmark dispatcher: `npm run bench -- <name> [args…]` runs bench/<name>.ts, which does its
 * work when imported and writes bench/results/<name>.json.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !f.startsWith('.') && f !== 'run.ts' && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
  .map((f) => f.slice(0, -3))
  .sort();
const name = process.argv[2];
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name> [args…]\navailable: ${available.join(', ') || '(none)'}`);
  process.exit(2);
}
process.argv.splice(2, 1);
await import(`./${name}.ts`);
