import type { Server } from 'socket.io';
import { SITES_NAMESPACE } from '@fedcl/protocol';
import type { Store } from '../store/store.js';
import type { RoundController } from '../rounds/roundController.js';
import { SESSION_COOKIE, type OperatorSessions, readCookie } from './operatorAuth.js';

export const CONSOLE_NAMESPACE = '/console';

/**
 * Live pushes to signed-in consoles (namespace /console, session cookie checked at the handshake):
 * `round` with the round row at every state change, `changed` with what to re-read (`sites`,
 * `rounds`, `models`, `audit`) when a site connects or leaves, a model is published, or the audit
 * log grows. The audit log is watched by its last id once a second, and only while a console is
 * connected. A socket closes when its session is signed out or expires. Returns a function that
 * stops the watcher.
 */
export function attachConsoleNamespace(io: Server, d: { store: Store; controller: RoundController; sessions: OperatorSessions }): () => void {
  const nsp = io.of(CONSOLE_NAMESPACE);
  nsp.use(async (socket, next) => {
    const session = await d.sessions.verify(readCookie(socket.handshake.headers.cookie, SESSION_COOKIE));
    if (session) {
      socket.data.session = session.jti;
      // A session's sockets close when it expires, like its cookie.
      const expiry = setTimeout(() => socket.disconnect(true), Math.max(0, session.expiresAt * 1000 - Date.now()));
      expiry.unref();
      socket.on('disconnect', () => clearTimeout(expiry));
      return next();
    }
    const err = new Error('sign in to the console first') as Error & { data: unknown };
    err.data = { code: 'token.missing' };
    next(err);
  });
  d.sessions.on('signout', (jti) => {
    for (const s of nsp.sockets.values()) if (s.data.session === jti) s.disconnect(true);
  });
  const changed = (...topics: string[]) => void nsp.emit('changed', { topics });
  d.controller.on('round', (row) => {
    nsp.emit('round', row);
    changed('rounds', 'sites');
  });
  d.controller.on('published', () => changed('models', 'metrics'));
  d.controller.on('accepted', () => changed('rounds', 'sites'));
  io.of(SITES_NAMESPACE).on('connection', (socket) => {
    changed('sites');
    socket.on('disconnect', () => changed('sites'));
  });
  let lastAudit = d.store.db.open ? d.store.searchAudit({ limit: 1 })[0]?.id ?? 0 : 0;
  const watch = setInterval(() => {
    if (nsp.sockets.size === 0 || !d.store.db.open) return;
    const newest = d.store.searchAudit({ limit: 1 })[0]?.id ?? 0;
    if (newest !== lastAudit) {
      lastAudit = newest;
      changed('audit', 'sites', 'rounds');
    }
  }, 1000);
  watch.unref();
  return () => {
    clearInterval(watch);
    nsp.disconnectSockets(true);
  };
}
