import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Server } from 'socket.io';
import { decodeWeights, MAX_CHUNK_BYTES, type NamedTensors, type PublicJwk } from '@fedcl/protocol';
import { parseFederationConfig, type FederationConfig } from './config.js';
import { attachConsole, type ConsoleHandle } from './console/consolePlugin.js';
import { buildApp, type ExtraRoutes } from './http/app.js';
import { loadKeyring } from './keys.js';
import { RoundController, type SiteChannel } from './rounds/roundController.js';
import { attachSitesNamespace } from './socket/sitesNamespace.js';
import { Store, type ModelRow } from './store/store.js';

export interface StartOptions {
  /** Weights for model version 0 when the store has none (else `model.initial` from the config is read). */
  initialWeights?: NamedTensors;
  /**
   * Extra routes registered after the API (e.g. the web console's static files and pages). They
   * get the shared context and `guards` (`adminOnly`, `siteOrAdmin`) to protect what they add.
   */
  routes?: ExtraRoutes;
}

export interface Coordinator {
  /** http://host:port */
  readonly url: string;
  readonly port: number;
  readonly config: FederationConfig;
  readonly store: Store;
  readonly controller: RoundController;
  /** The operator console: its address and how to sign in. */
  readonly console: { url: string; signIn: string };
  readonly publicKeys: { signingKey: PublicJwk; encryptionKey: PublicJwk };
  /** A one-time enrolment token (optionally bound to a site name). */
  createEnrolmentToken(o?: { name?: string; ttlSeconds?: number }): { token: string; expiresAt: number };
  revokeSite(siteId: string, reason: string): void;
  revokeToken(jti: string, reason: string): void;
  publishInitialModel(weights: NamedTensors): Promise<ModelRow>;
  /** Resolves when `round` reaches `status` (published or failed), rejects after timeoutMs. */
  waitForRound(round: number, status?: 'training' | 'published' | 'failed', timeoutMs?: number): Promise<void>;
  /** Stops listening and closes the store, without finishing the open round (it resumes on restart). */
  close(): Promise<void>;
}

/**
 * Starts a coordinator: store (SQLite WAL + blobs) in `config.store`, keys, REST on
 * `listen.host:listen.port` (0 = ephemeral), socket.io namespace /sites on the same port. An open
 * round found in the store resumes with every acknowledged update.
 */
export async function startCoordinator(rawConfig: unknown, options: StartOptions = {}): Promise<Coordinator> {
  const config = parseFederationConfig(rawConfig);
  const store = new Store(resolve(config.store));
  try {
    const keys = await loadKeyring(store.dir);
    const channel: { current?: SiteChannel } = {};
    const sites: SiteChannel = {
      connectedSites: () => channel.current?.connectedSites() ?? [],
      send: (s, e, m) => channel.current?.send(s, e, m),
      broadcast: (e, m) => channel.current?.broadcast(e, m),
      disconnect: (s) => channel.current?.disconnect(s),
    };
    const controller = new RoundController(config, store, keys, sites);
    const app = await buildApp({ config, store, keys, controller, sites }, options.routes);
    // socket.io frames carry one ≤ 1 MiB chunk plus its envelope; a bigger frame is dropped by engine.io.
    const io = new Server(app.server, { serveClient: false, maxHttpBufferSize: MAX_CHUNK_BYTES + 64 * 1024, pingInterval: 10000, pingTimeout: 20000 });
    channel.current = attachSitesNamespace(io, { store, keys, federation: config.federation, controller: () => controller });
    const consoleHandle: ConsoleHandle = await attachConsole({ app, io, config, store, controller, sites });
    const initial = options.initialWeights ?? (config.model.initial ? decodeWeights(readFileSync(resolve(config.model.initial))) : undefined);
    await controller.start(initial);
    await app.listen({ host: config.listen.host, port: config.listen.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.listen.port;
    const host = config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host;
    let closing: Promise<void> | undefined;
    return {
      url: `http://${host}:${port}`,
      port,
      config,
      store,
      controller,
      console: { url: `http://${host}:${port}${consoleHandle.path}`, signIn: consoleHandle.signIn },
      publicKeys: { signingKey: keys.signingJwk, encryptionKey: keys.encryptionJwk },
      createEnrolmentToken: (o = {}) => store.createEnrolmentToken(o.name, o.ttlSeconds ?? 86400),
      revokeSite: (id, reason) => {
        store.revokeSite(id, reason);
        store.audit({ actor: 'admin', action: 'site.revoke', outcome: 'ok', detail: { site: id, reason } });
        sites.disconnect(id);
      },
      revokeToken: (jti, reason) => {
        store.revokeToken(jti, reason);
        store.audit({ actor: 'admin', action: 'token.revoke', outcome: 'ok', detail: { jti, reason } });
      },
      publishInitialModel: (w) => controller.publishInitial(w),
      waitForRound: (round, status = 'published', timeoutMs = 30000) =>
        new Promise<void>((resolveWait, reject) => {
          const done = (): boolean => {
            const r = store.getRound(round);
            return r?.status === status;
          };
          if (done()) return resolveWait();
          const timer = setTimeout(() => {
            controller.off('round', check);
            reject(new Error(`round ${round} did not reach '${status}' within ${timeoutMs} ms (now: ${store.getRound(round)?.status ?? 'absent'})`));
          }, timeoutMs);
          const check = (r: { round: number; status: string }): void => {
            if (r.round === round && r.status === status) {
              clearTimeout(timer);
              controller.off('round', check);
              resolveWait();
            }
          };
          controller.on('round', check);
        }),
      close: () =>
        (closing ??= (async () => {
          await controller.close();
          io.of('/sites').disconnectSockets(true);
          await io.close();
          await app.close().catch(() => undefined);
          store.close();
        })()),
    };
  } catch (err) {
    store.close();
    throw err;
  }
}
