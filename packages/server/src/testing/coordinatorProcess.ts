/**
 * A test coordinator in its own process (for crash tests: the parent SIGKILLs it).
 * Usage: node --import tsx coordinatorProcess.ts STORE_DIR OVERRIDES_JSON
 * Prints one JSON line {url, port} when listening.
 */
import { testCoordinator } from './testCoordinator.js';

const [dir, overrides] = process.argv.slice(2);
if (!dir) throw new Error('usage: coordinatorProcess.ts STORE_DIR [OVERRIDES_JSON]');
const c = await testCoordinator(dir, JSON.parse(overrides ?? '{}') as Record<string, unknown>);
process.stdout.write(`${JSON.stringify({ url: c.url, port: c.port })}\n`);
