import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import { parseFederationConfig, startCoordinator, Store } from '@fedcl/server';
import { type CliIO, type Command, numberOption, parseCommandArgs, UsageError } from '../command.js';

/** Reads federation.yaml; relative paths in it (store, model.initial) are relative to the file. */
export function loadFederationConfig(path: string, overrides: { port?: number; host?: string; store?: string } = {}): Record<string, unknown> {
  let raw: Record<string, unknown>;
  try {
    raw = (parse(readFileSync(path, 'utf8')) ?? {}) as Record<string, unknown>;
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${(err as Error).message}`);
  }
  const base = dirname(resolve(path));
  const rel = (p: unknown) => (typeof p === 'string' && !isAbsolute(p) ? resolve(base, p) : p);
  const listen = { ...(raw.listen as object), ...(overrides.host ? { host: overrides.host } : {}), ...(overrides.port !== undefined ? { port: overrides.port } : {}) };
  const model = raw.model as { initial?: string } | undefined;
  return {
    ...raw,
    listen,
    store: overrides.store ? resolve(overrides.store) : rel(raw.store ?? './runs/coordinator'),
    ...(model ? { model: { ...model, ...(model.initial ? { initial: rel(model.initial) } : {}) } } : {}),
    ...(raw.adminToken === undefined && process.env.FEDCL_ADMIN_TOKEN ? { adminToken: process.env.FEDCL_ADMIN_TOKEN } : {}),
  };
}

export const coordinatorStart: Command = {
  name: 'coordinator start',
  summary: 'Run the federation coordinator (REST + socket.io, rounds, aggregation)',
  usage: `Usage: fedcl coordinator start --config federation.yaml [--port N] [--host H] [--store DIR]

Starts the coordinator described by federation.yaml (see configs/federation.yaml and
docs/deployment.md): REST API and OpenAPI at /openapi.json, sites on socket.io namespace /sites.
Its store (SQLite, keys, model blobs) is created on first start; an open round resumes.
Stops cleanly on Ctrl-C (the open round resumes at the next start).

Options:
  --config FILE   federation configuration (YAML), required
  --port N        listen port (overrides listen.port; 0 = any free port)
  --host H        listen address (overrides listen.host)
  --store DIR     store directory (overrides store)
  --json          print the start-up line as JSON

Environment: FEDCL_ADMIN_TOKEN sets adminToken when the file has none.
`,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values } = parseCommandArgs(argv, { config: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, store: { type: 'string' }, json: { type: 'boolean' } }, false);
    if (typeof values.config !== 'string') throw new UsageError('--config is required');
    const raw = loadFederationConfig(values.config, {
      ...(values.port !== undefined ? { port: numberOption('port', values.port as string, 0, 0, 65535) } : {}),
      ...(typeof values.host === 'string' ? { host: values.host } : {}),
      ...(typeof values.store === 'string' ? { store: values.store } : {}),
    });
    const c = await startCoordinator(raw);
    const r = c.store.latestRound();
    const info = { url: c.url, console: c.console.url, federation: c.config.federation, store: c.store.dir, round: r ? { round: r.round, status: r.status } : null, model: c.store.latestModel()?.version ?? null };
    io.stdout.write(values.json ? `${JSON.stringify(info)}\n` : `fedcl coordinator '${info.federation}' listening on ${info.url} (store ${info.store}; model ${info.model ?? 'none yet'}; round ${r ? `${r.round} ${r.status}` : 'none'})\nconsole: ${c.console.url} (${c.console.signIn})\n`);
    c.controller.on('round', (row) => io.stderr.write(`round ${row.round}: ${row.status}${row.closeReason ? ` (${row.closeReason})` : ''}\n`));
    await new Promise<void>((done) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        done();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await c.close();
    return 0;
  },
};

export const coordinatorToken: Command = {
  name: 'coordinator token',
  summary: 'Create a one-time enrolment token for a site',
  usage: `Usage: fedcl coordinator token --config federation.yaml [--site NAME] [--ttl SECONDS]

Writes a one-time enrolment token into the coordinator's store (works while it runs) and prints
it. Give it to the site operator over a trusted channel: \`fedcl site enrol\` redeems it.

Options:
  --config FILE   federation configuration (YAML), required
  --site NAME     bind the token to this site name
  --ttl SECONDS   validity (default 86400)
`,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values } = parseCommandArgs(argv, { config: { type: 'string' }, site: { type: 'string' }, ttl: { type: 'string' }, store: { type: 'string' } }, false);
    if (typeof values.config !== 'string') throw new UsageError('--config is required');
    const config = parseFederationConfig(loadFederationConfig(values.config, typeof values.store === 'string' ? { store: values.store } : {}));
    const store = new Store(config.store);
    try {
      const t = store.createEnrolmentToken(typeof values.site === 'string' ? values.site : undefined, numberOption('ttl', values.ttl as string | undefined, 86400, 60, 30 * 86400));
      store.audit({ actor: 'cli', action: 'enrolment-token.create', outcome: 'ok', detail: { name: values.site ?? null, expiresAt: t.expiresAt } });
      io.stdout.write(`${t.token}\n`);
    } finally {
      store.close();
    }
    return 0;
  },
};
