import type { Server, Socket } from 'socket.io';
import {
  Heartbeat,
  PROTOCOL_VERSION,
  ProtocolError,
  SITES_NAMESPACE,
  UpdateBegin,
  UpdateChunk,
  UpdateCommit,
  validate,
  type UpdateRefused,
} from '@fedcl/protocol';
import type { TSchema } from '@sinclair/typebox';
import { authenticateSite } from '../auth.js';
import type { CoordinatorKeyring } from '../keys.js';
import type { RoundController, SiteChannel } from '../rounds/roundController.js';
import type { Store } from '../store/store.js';

const room = (siteId: string): string => `site:${siteId}`;

function refusal(err: unknown, updateId?: string): UpdateRefused {
  const e = err instanceof ProtocolError ? err : new ProtocolError('internal', `internal error: ${(err as Error).message}`);
  return { type: 'update.refused', v: PROTOCOL_VERSION, ...(updateId ? { updateId } : {}), code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) };
}

/**
 * The `/sites` namespace: the JWT is checked at the handshake (forged, expired or revoked tokens are
 * refused with the reason in `connect_error`, and audited); each site joins its own room.
 * Requests are acknowledged through socket.io callbacks with a protocol message.
 */
export function attachSitesNamespace(io: Server, deps: { store: Store; keys: CoordinatorKeyring; federation: string; controller: () => RoundController }): SiteChannel {
  const nsp = io.of(SITES_NAMESPACE);
  const { store } = deps;

  nsp.use(async (socket, next) => {
    try {
      const claims = await authenticateSite((socket.handshake.auth as { token?: unknown })?.token, deps.keys, store, deps.federation);
      socket.data.siteId = claims.siteId;
      socket.data.jti = claims.jti;
      next();
    } catch (err) {
      const e = err instanceof ProtocolError ? err : new ProtocolError('token.invalid', String(err));
      store.audit({ actor: `ip:${socket.handshake.address}`, action: 'socket.connect', outcome: 'refused', code: e.code, detail: { message: e.message } });
      const out = new Error(e.message) as Error & { data: unknown };
      out.data = { code: e.code, message: e.message };
      next(out);
    }
  });

  nsp.on('connection', (socket: Socket) => {
    const siteId = socket.data.siteId as string;
    void socket.join(room(siteId));
    store.touchSite(siteId);
    store.audit({ actor: `site:${siteId}`, action: 'socket.connect', outcome: 'ok', detail: { jti: socket.data.jti } });
    void deps.controller().siteConnected(siteId);

    const handle = <S extends TSchema>(event: string, schema: S, run: (msg: ReturnType<typeof validate<S>>) => Promise<unknown>, auditOk: boolean) => {
      socket.on(event, async (raw: unknown, ack?: unknown) => {
        const updateId = typeof (raw as { updateId?: unknown })?.updateId === 'string' ? (raw as { updateId: string }).updateId : undefined;
        let reply: unknown;
        try {
          // Revocation also applies to connections opened before it.
          const site = store.getSite(siteId);
          if (!site || site.revokedAt) throw new ProtocolError('site.revoked', `site '${siteId}' was revoked${site?.revokedReason ? `: ${site.revokedReason}` : ''}`);
          if (store.tokenRevocation(socket.data.jti)) throw new ProtocolError('token.revoked', `the token of this connection (${socket.data.jti}) was revoked: reconnect with a fresh one`);
          const msg = validate(schema, raw, event);
          if ((msg as { v: number }).v !== PROTOCOL_VERSION) throw new ProtocolError('version.unsupported', `${event}: protocol version ${(msg as { v: number }).v} is not supported (coordinator speaks ${PROTOCOL_VERSION})`, `${event}.v`);
          reply = await run(msg);
          if (auditOk) store.audit({ actor: `site:${siteId}`, action: event, outcome: 'ok', detail: { reply } });
        } catch (err) {
          reply = refusal(err, updateId);
          const r = reply as UpdateRefused;
          store.audit({ actor: `site:${siteId}`, action: event, outcome: 'refused', code: r.code, detail: { message: r.message, updateId, field: r.field } });
        }
        if (typeof ack === 'function') ack(reply);
      });
    };

    handle('update.begin', UpdateBegin, (m) => deps.controller().begin(siteId, m), true);
    handle('update.chunk', UpdateChunk, (m) => deps.controller().chunk(siteId, m), false);
    handle('update.commit', UpdateCommit, (m) => deps.controller().commit(siteId, m), true);
    handle('heartbeat', Heartbeat, async (m) => ({ type: 'heartbeat.ack', v: PROTOCOL_VERSION, at: m.at, serverTime: Date.now() }), false);
    socket.on('disconnect', () => {
      if (store.db.open) store.touchSite(siteId);
    });
  });

  return {
    connectedSites: () => [...new Set([...nsp.sockets.values()].map((s) => s.data.siteId as string))].sort(),
    send: (siteId, event, message) => void nsp.to(room(siteId)).emit(event, message),
    broadcast: (event, message) => void nsp.emit(event, message),
    disconnect: (siteId) => void nsp.in(room(siteId)).disconnectSockets(true),
  };
}
