import type { FastifyInstance } from 'fastify';
import type { Server } from 'socket.io';
import type { FederationConfig } from '../config.js';
import type { RoundController, SiteChannel } from '../rounds/roundController.js';
import type { Store } from '../store/store.js';
import { consoleBundle } from './consoleAssets.js';
import { attachConsoleNamespace } from './consoleNamespace.js';
import { consoleRoutes } from './consoleRoutes.js';
import { OperatorSessions, resolveOperatorPassword, type PasswordSource } from './operatorAuth.js';
import { FailureLimiter } from '../http/failureLimiter.js';

export interface ConsoleHandle {
  /** Path of the console on the coordinator's origin. */
  readonly path: '/console/';
  /** How to sign in, for whoever started the coordinator (contains a generated password). */
  readonly signIn: string;
  readonly passwordSource: PasswordSource['kind'];
}

/**
 * Mounts the operator console on the coordinator: pages, assets and /console/api on `app`, live
 * pushes on `io` (namespace /console). Call before `app.listen`.
 */
export async function attachConsole(d: { app: FastifyInstance; io: Server; config: FederationConfig; store: Store; controller: RoundController; sites: SiteChannel }): Promise<ConsoleHandle> {
  const { password, source } = resolveOperatorPassword(d.store.dir, d.config.console.password);
  const sessions = new OperatorSessions(d.store.dir, d.config.console.sessionSeconds);
  await consoleRoutes(d.app, { ...d, password, sessions, limiter: new FailureLimiter(), bundle: consoleBundle });
  const stop = attachConsoleNamespace(d.io, { store: d.store, controller: d.controller, sessions });
  d.app.addHook('onClose', async () => stop());
  const signIn =
    source.kind === 'generated'
      ? `operator password ${source.password} (kept in ${source.file})`
      : source.kind === 'env'
        ? 'operator password from FEDCL_CONSOLE_PASSWORD'
        : 'operator password from the federation config (console.password)';
  return { path: '/console/', signIn, passwordSource: source.kind };
}
