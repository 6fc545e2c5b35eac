import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { jwtVerify, SignJWT } from 'jose';

export const SESSION_COOKIE = 'fedcl_console';
const ISSUER = 'fedcl:console';

/** Where the operator password came from (shown to whoever starts the coordinator, never to the browser). */
export type PasswordSource = { kind: 'env' } | { kind: 'config' } | { kind: 'generated'; file: string; password: string };

/** Reads a secret file, or creates it (mode 0600) with `make()`; kept across restarts with the store. */
function persistentSecret(file: string, make: () => string): { value: string; created: boolean } {
  if (existsSync(file)) return { value: readFileSync(file, 'utf8').trim(), created: false };
  const value = make();
  writeFileSync(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return { value, created: true };
}

/**
 * The operator credential: FEDCL_CONSOLE_PASSWORD, else `console.password` from the federation
 * config, else a random password generated once into `<store>/console-password`.
 */
export function resolveOperatorPassword(storeDir: string, configured: string | undefined, env: NodeJS.ProcessEnv = process.env): { password: string; source: PasswordSource } {
  const fromEnv = env.FEDCL_CONSOLE_PASSWORD;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (fromEnv.length < 12) throw new RangeError(`FEDCL_CONSOLE_PASSWORD has ${fromEnv.length} characters: the operator password needs at least 12`);
    return { password: fromEnv, source: { kind: 'env' } };
  }
  if (configured) return { password: configured, source: { kind: 'config' } };
  const file = join(storeDir, 'console-password');
  const { value } = persistentSecret(file, () => randomBytes(15).toString('base64url'));
  return { password: value, source: { kind: 'generated', file, password: value } };
}

/** Constant-time comparison of SHA-256 digests (equal length whatever the input). */
export function passwordMatches(given: string, want: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(want, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/**
 * Console sessions: an HS256 JWT (jose) in an HttpOnly, SameSite=Strict cookie. The HMAC key lives
 * in `<store>/console-session.key`, so sessions survive a coordinator restart; sign-out revokes the
 * session's jti for the rest of the process and emits `signout` (live connections of it close).
 */
export class OperatorSessions extends EventEmitter<{ signout: [string] }> {
  private readonly key: Uint8Array;
  private readonly signedOut = new Set<string>();

  constructor(storeDir: string, readonly ttlSeconds: number) {
    super();
    const { value } = persistentSecret(join(storeDir, 'console-session.key'), () => randomBytes(32).toString('base64url'));
    this.key = new Uint8Array(Buffer.from(value, 'base64url'));
  }

  async issue(): Promise<{ token: string; jti: string; expiresAt: number }> {
    const jti = randomBytes(12).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuer(ISSUER).setSubject('operator').setJti(jti).setIssuedAt(now).setExpirationTime(now + this.ttlSeconds).sign(this.key);
    return { token, jti, expiresAt: now + this.ttlSeconds };
  }

  /** The session's jti and expiry, or undefined for a missing, forged, expired or signed-out token. */
  async verify(token: string | undefined): Promise<{ jti: string; expiresAt: number } | undefined> {
    if (!token) return undefined;
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, subject: 'operator', algorithms: ['HS256'] });
      if (!payload.jti || this.signedOut.has(payload.jti)) return undefined;
      return { jti: payload.jti, expiresAt: payload.exp! };
    } catch {
      return undefined;
    }
  }

  signOut(jti: string): void {
    this.signedOut.add(jti);
    this.emit('signout', jti);
  }

  cookie(token: string): string {
    return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${this.ttlSeconds}`;
  }

  static clearCookie(): string {
    return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
  }
}

/** The value of cookie `name` in a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
