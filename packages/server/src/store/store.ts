import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ProtocolError, type AuditEntry, type ModelManifest, type PublicJwk, type RoundStatus } from '@fedcl/protocol';
import { BlobStore } from './blobs.js';
import { SCHEMA } from './schema.js';
import { UploadFiles } from './uploads.js';

export interface SiteRow {
  id: string;
  publicJwk: PublicJwk;
  jkt: string;
  enrolledAt: string;
  revokedAt: string | null;
  revokedReason: string | null;
  lastSeenAt: string | null;
}

export interface RoundRow {
  round: number;
  status: RoundStatus;
  nonce: string;
  globalVersion: number;
  selected: string[];
  quorum: number;
  deadline: string | null;
  openedAt: string;
  closedAt: string | null;
  closeReason: string | null;
  resultVersion: number | null;
}

export interface UpdateRow {
  updateId: string;
  round: number;
  siteId: string;
  status: 'receiving' | 'accepted';
  jws: string;
  samples: number;
  bytes: number;
  chunks: number;
  begunAt: string;
  acceptedAt: string | null;
  seq: number | null;
}

export interface ModelRow {
  version: number;
  round: number | null;
  sha256: string;
  bytes: number;
  manifest: ModelManifest;
  jws: string;
  optimizerSha256: string | null;
  createdAt: string;
}

export interface AuditInput {
  actor: string;
  action: string;
  outcome: 'ok' | 'refused';
  code?: string | null;
  detail?: Record<string, unknown>;
}

const now = (): string => new Date().toISOString();
const hashToken = (t: string): string => createHash('sha256').update(t).digest('hex');
/** A LIKE pattern that matches `s` literally (with ESCAPE '\\'). */
const likeEscape = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/* eslint-disable @typescript-eslint/no-explicit-any -- better-sqlite3 rows are untyped; each is mapped once below */
const site = (r: any): SiteRow => ({ id: r.id, publicJwk: JSON.parse(r.public_jwk), jkt: r.jkt, enrolledAt: r.enrolled_at, revokedAt: r.revoked_at, revokedReason: r.revoked_reason, lastSeenAt: r.last_seen_at });
const round = (r: any): RoundRow => ({
  round: r.round, status: r.status, nonce: r.nonce, globalVersion: r.global_version, selected: JSON.parse(r.selected), quorum: r.quorum,
  deadline: r.deadline, openedAt: r.opened_at, closedAt: r.closed_at, closeReason: r.close_reason, resultVersion: r.result_version,
});
const update = (r: any): UpdateRow => ({
  updateId: r.update_id, round: r.round, siteId: r.site_id, status: r.status, jws: r.jws, samples: r.samples, bytes: r.bytes, chunks: r.chunks,
  begunAt: r.begun_at, acceptedAt: r.accepted_at, seq: r.seq,
});
const model = (r: any): ModelRow => ({ version: r.version, round: r.round, sha256: r.sha256, bytes: r.bytes, manifest: JSON.parse(r.manifest), jws: r.jws, optimizerSha256: r.optimizer_sha256, createdAt: r.created_at });
const audit = (r: any): AuditEntry => ({ id: r.id, at: r.at, actor: r.actor, action: r.action, outcome: r.outcome, code: r.code, detail: JSON.parse(r.detail) });
/* eslint-enable @typescript-eslint/no-explicit-any */

/**
 * The coordinator's durable state: SQLite in WAL mode with synchronous=FULL (a committed
 * transaction survives power loss), plus content-addressed blobs and upload files beside it.
 */
export class Store {
  readonly db: Database.Database;
  readonly blobs: BlobStore;
  readonly uploads: UploadFiles;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.db = new Database(join(dir, 'fedcl.db'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(SCHEMA);
    this.blobs = new BlobStore(join(dir, 'blobs'));
    this.uploads = new UploadFiles(join(dir, 'uploads'));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  tx<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  // ── audit ──────────────────────────────────────────────────────────────
  audit(e: AuditInput): void {
    this.db.prepare('INSERT INTO audit (at, actor, action, outcome, code, detail) VALUES (?, ?, ?, ?, ?, ?)').run(now(), e.actor, e.action, e.outcome, e.code ?? null, JSON.stringify(e.detail ?? {}));
  }

  listAudit(q: { after?: number; limit?: number; outcome?: 'ok' | 'refused' } = {}): AuditEntry[] {
    const rows = this.db
      .prepare(`SELECT * FROM audit WHERE id > ? ${q.outcome ? 'AND outcome = ?' : ''} ORDER BY id LIMIT ?`)
      .all(...[q.after ?? 0, ...(q.outcome ? [q.outcome] : []), q.limit ?? 100]);
    return rows.map(audit);
  }

  /**
   * The audit log newest first, for the console: `action` and `actor` match as prefixes, `text`
   * anywhere in the action, actor, code or detail; `before` pages back from an entry id.
   */
  searchAudit(q: { action?: string; actor?: string; outcome?: 'ok' | 'refused'; text?: string; before?: number; limit?: number } = {}): AuditEntry[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.before !== undefined) {
      where.push('id < ?');
      args.push(q.before);
    }
    if (q.outcome) {
      where.push('outcome = ?');
      args.push(q.outcome);
    }
    if (q.action) {
      where.push("action LIKE ? || '%' ESCAPE '\\'");
      args.push(likeEscape(q.action));
    }
    if (q.actor) {
      where.push("actor LIKE ? || '%' ESCAPE '\\'");
      args.push(likeEscape(q.actor));
    }
    if (q.text) {
      where.push("(action || ' ' || actor || ' ' || COALESCE(code, '') || ' ' || detail) LIKE '%' || ? || '%' ESCAPE '\\'");
      args.push(likeEscape(q.text));
    }
    const sql = `SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return this.db.prepare(sql).all(...args, q.limit ?? 200).map(audit);
  }

  countAudit(outcome: 'ok' | 'refused', actionPrefix = ''): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM audit WHERE outcome = ? AND action LIKE ? || '%'").get(outcome, actionPrefix) as { n: number }).n;
  }

  // ── enrolment and sites ───────────────────────────────────────────────
  createEnrolmentToken(name: string | undefined, ttlSeconds: number): { token: string; expiresAt: number } {
    const token = randomBytes(24).toString('base64url');
    const expiresAt = Math.floor(Date.now() / 1000) + ttlSeconds;
    this.db.prepare('INSERT INTO enrolment_tokens (hash, name, created_at, expires_at) VALUES (?, ?, ?, ?)').run(hashToken(token), name ?? null, now(), expiresAt);
    return { token, expiresAt };
  }

  /** Redeems a one-time token and registers the site, atomically; a used, expired or unknown token is refused. */
  enrol(token: string, name: string, publicJwk: PublicJwk, jkt: string): SiteRow {
    return this.tx(() => {
      const row = this.db.prepare('SELECT * FROM enrolment_tokens WHERE hash = ?').get(hashToken(token)) as { name: string | null; expires_at: number; used_at: string | null } | undefined;
      if (!row) throw new ProtocolError('enrolment.invalid_token', 'unknown enrolment token: ask the coordinator operator for a new one', 'token');
      if (row.used_at) throw new ProtocolError('enrolment.invalid_token', `this enrolment token was already used at ${row.used_at}; tokens are one-time`, 'token');
      if (row.expires_at < Date.now() / 1000) throw new ProtocolError('enrolment.invalid_token', `this enrolment token expired at ${new Date(row.expires_at * 1000).toISOString()}`, 'token');
      if (row.name && row.name !== name) throw new ProtocolError('enrolment.invalid_token', `this enrolment token is for site '${row.name}', not '${name}'`, 'name');
      if (this.getSite(name)) throw new ProtocolError('enrolment.invalid_token', `a site named '${name}' is already enrolled; choose another name`, 'name');
      const at = now();
      this.db.prepare('INSERT INTO sites (id, public_jwk, jkt, enrolled_at) VALUES (?, ?, ?, ?)').run(name, JSON.stringify(publicJwk), jkt, at);
      this.db.prepare('UPDATE enrolment_tokens SET used_at = ?, site_id = ? WHERE hash = ?').run(at, name, hashToken(token));
      return this.getSite(name)!;
    });
  }

  /** Enrolment tokens issued (never the token itself: `id` is the first 12 hex digits of its hash). */
  listEnrolmentTokens(): { id: string; name: string | null; createdAt: string; expiresAt: number; usedAt: string | null; siteId: string | null }[] {
    const rows = this.db.prepare('SELECT * FROM enrolment_tokens ORDER BY created_at DESC').all() as { hash: string; name: string | null; created_at: string; expires_at: number; used_at: string | null; site_id: string | null }[];
    return rows.map((r) => ({ id: r.hash.slice(0, 12), name: r.name, createdAt: r.created_at, expiresAt: r.expires_at, usedAt: r.used_at, siteId: r.site_id }));
  }

  /** Makes an unused, unexpired enrolment token expire now; false if there is none with this id. */
  expireEnrolmentToken(id: string): boolean {
    if (!/^[0-9a-f]{12}$/.test(id)) return false;
    const now = Math.floor(Date.now() / 1000);
    return this.db.prepare('UPDATE enrolment_tokens SET expires_at = ? WHERE substr(hash, 1, 12) = ? AND used_at IS NULL AND expires_at >= ?').run(now - 1, id, now).changes > 0;
  }

  getSite(id: string): SiteRow | undefined {
    const r = this.db.prepare('SELECT * FROM sites WHERE id = ?').get(id);
    return r ? site(r) : undefined;
  }

  listSites(): SiteRow[] {
    return this.db.prepare('SELECT * FROM sites ORDER BY id').all().map(site);
  }

  revokeSite(id: string, reason: string): boolean {
    return this.db.prepare('UPDATE sites SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL').run(now(), reason, id).changes > 0;
  }

  touchSite(id: string): void {
    this.db.prepare('UPDATE sites SET last_seen_at = ? WHERE id = ?').run(now(), id);
  }

  recordIssuedToken(jti: string, siteId: string, issuedAt: number, expiresAt: number): void {
    this.db.prepare('INSERT INTO issued_tokens (jti, site_id, issued_at, expires_at) VALUES (?, ?, ?, ?)').run(jti, siteId, issuedAt, expiresAt);
  }

  revokeToken(jti: string, reason: string): boolean {
    return this.db.prepare('INSERT OR IGNORE INTO revoked_tokens (jti, revoked_at, reason) VALUES (?, ?, ?)').run(jti, now(), reason).changes > 0;
  }

  tokenRevocation(jti: string): string | undefined {
    return (this.db.prepare('SELECT reason FROM revoked_tokens WHERE jti = ?').get(jti) as { reason: string } | undefined)?.reason;
  }

  /** Records a site assertion's jti; false if it was already used (a replayed assertion). */
  useAssertion(jti: string, expiresAt: number): boolean {
    this.db.prepare('DELETE FROM used_assertions WHERE expires_at < ?').run(Math.floor(Date.now() / 1000) - 60);
    return this.db.prepare('INSERT OR IGNORE INTO used_assertions (jti, expires_at) VALUES (?, ?)').run(jti, expiresAt).changes > 0;
  }

  // ── rounds ─────────────────────────────────────────────────────────────
  /** Operator decisions that outlive a restart (pause, console round settings), as JSON by key. */
  getOperatorState<T>(key: string): T | undefined {
    const r = this.db.prepare('SELECT value FROM operator_state WHERE key = ?').get(key) as { value: string } | undefined;
    return r ? (JSON.parse(r.value) as T) : undefined;
  }

  setOperatorState(key: string, value: unknown): void {
    if (value === undefined) this.db.prepare('DELETE FROM operator_state WHERE key = ?').run(key);
    else this.db.prepare('INSERT INTO operator_state (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at').run(key, JSON.stringify(value), now());
  }

  latestRound(): RoundRow | undefined {
    const r = this.db.prepare('SELECT * FROM rounds ORDER BY round DESC LIMIT 1').get();
    return r ? round(r) : undefined;
  }

  getRound(n: number): RoundRow | undefined {
    const r = this.db.prepare('SELECT * FROM rounds WHERE round = ?').get(n);
    return r ? round(r) : undefined;
  }

  listRounds(): RoundRow[] {
    return this.db.prepare('SELECT * FROM rounds ORDER BY round').all().map(round);
  }

  countRoundsByStatus(): Record<string, number> {
    const rows = this.db.prepare('SELECT status, COUNT(*) AS n FROM rounds GROUP BY status').all() as { status: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  insertRound(r: RoundRow): void {
    this.db
      .prepare('INSERT INTO rounds (round, status, nonce, global_version, selected, quorum, deadline, opened_at, closed_at, close_reason, result_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(r.round, r.status, r.nonce, r.globalVersion, JSON.stringify(r.selected), r.quorum, r.deadline, r.openedAt, r.closedAt, r.closeReason, r.resultVersion);
  }

  updateRound(n: number, f: Partial<Pick<RoundRow, 'status' | 'selected' | 'quorum' | 'deadline' | 'closedAt' | 'closeReason' | 'resultVersion'>>): void {
    const cols: Record<string, unknown> = {
      status: f.status, selected: f.selected && JSON.stringify(f.selected), quorum: f.quorum, deadline: f.deadline,
      closed_at: f.closedAt, close_reason: f.closeReason, result_version: f.resultVersion,
    };
    const set = Object.entries(cols).filter(([, v]) => v !== undefined);
    if (set.length === 0) return;
    this.db.prepare(`UPDATE rounds SET ${set.map(([k]) => `${k} = ?`).join(', ')} WHERE round = ?`).run(...set.map(([, v]) => v), n);
  }

  // ── updates ────────────────────────────────────────────────────────────
  getUpdate(id: string): UpdateRow | undefined {
    const r = this.db.prepare('SELECT * FROM updates WHERE update_id = ?').get(id);
    return r ? update(r) : undefined;
  }

  beginUpload(u: Omit<UpdateRow, 'status' | 'acceptedAt' | 'seq' | 'begunAt'>): void {
    this.db
      .prepare("INSERT INTO updates (update_id, round, site_id, status, jws, samples, bytes, chunks, begun_at) VALUES (?, ?, ?, 'receiving', ?, ?, ?, ?, ?)")
      .run(u.updateId, u.round, u.siteId, u.jws, u.samples, u.bytes, u.chunks, now());
  }

  addChunk(updateId: string, index: number): number {
    this.db.prepare('INSERT OR IGNORE INTO update_chunks (update_id, idx) VALUES (?, ?)').run(updateId, index);
    return (this.db.prepare('SELECT COUNT(*) AS n FROM update_chunks WHERE update_id = ?').get(updateId) as { n: number }).n;
  }

  chunksOf(updateId: string): number[] {
    return (this.db.prepare('SELECT idx FROM update_chunks WHERE update_id = ? ORDER BY idx').all(updateId) as { idx: number }[]).map((r) => r.idx);
  }

  /** Forgets an upload that was refused, as if it never began (rows and file). */
  discardUpload(updateId: string): void {
    this.tx(() => {
      this.db.prepare('DELETE FROM update_chunks WHERE update_id = ?').run(updateId);
      this.db.prepare("DELETE FROM updates WHERE update_id = ? AND status = 'receiving'").run(updateId);
    });
    this.uploads.remove(updateId);
  }

  /** Marks an update accepted (its ciphertext is already fsynced) and gives it the next fold position. */
  acceptUpdate(updateId: string): number {
    return this.tx(() => {
      const seq = ((this.db.prepare('SELECT MAX(seq) AS s FROM updates').get() as { s: number | null }).s ?? 0) + 1;
      this.db.prepare("UPDATE updates SET status = 'accepted', accepted_at = ?, seq = ? WHERE update_id = ? AND status = 'receiving'").run(now(), seq, updateId);
      this.db.prepare('DELETE FROM update_chunks WHERE update_id = ?').run(updateId);
      return seq;
    });
  }

  acceptedUpdates(roundNo: number): UpdateRow[] {
    return this.db.prepare("SELECT * FROM updates WHERE round = ? AND status = 'accepted' ORDER BY seq").all(roundNo).map(update);
  }

  receivingUpdates(roundNo: number): UpdateRow[] {
    return this.db.prepare("SELECT * FROM updates WHERE round = ? AND status = 'receiving'").all(roundNo).map(update);
  }

  /** Every accepted update of every round, in fold order. */
  allAcceptedUpdates(): UpdateRow[] {
    return this.db.prepare("SELECT * FROM updates WHERE status = 'accepted' ORDER BY round, seq").all().map(update);
  }

  countAccepted(): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM updates WHERE status = 'accepted'").get() as { n: number }).n;
  }

  // ── models ─────────────────────────────────────────────────────────────
  latestModel(): ModelRow | undefined {
    const r = this.db.prepare('SELECT * FROM models ORDER BY version DESC LIMIT 1').get();
    return r ? model(r) : undefined;
  }

  getModel(version: number): ModelRow | undefined {
    const r = this.db.prepare('SELECT * FROM models WHERE version = ?').get(version);
    return r ? model(r) : undefined;
  }

  listModels(): ModelRow[] {
    return this.db.prepare('SELECT * FROM models ORDER BY version').all().map(model);
  }

  insertModel(m: ModelRow): void {
    this.db
      .prepare('INSERT INTO models (version, round, sha256, bytes, manifest, jws, optimizer_sha256, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(m.version, m.round, m.sha256, m.bytes, JSON.stringify(m.manifest), m.jws, m.optimizerSha256, m.createdAt);
  }

  /**
   * Everything but the audit log, as comparable JSON (rows of every table + files of the upload
   * directory): tests assert a refused request leaves it unchanged.
   */
  snapshot(): string {
    const tables = (this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('audit', 'sqlite_sequence') ORDER BY name").all() as { name: string }[]).map((t) => t.name);
    const out: Record<string, unknown> = {};
    for (const t of tables) out[t] = this.db.prepare(`SELECT * FROM ${t} ORDER BY 1`).all();
    out['files:uploads'] = readdirSync(this.uploads.dir).sort();
    out['files:blobs'] = readdirSync(this.blobs.dir).sort();
    return JSON.stringify(out);
  }
}
