/**
 * The coordinator's SQLite schema. Times are ISO strings, except token expiries (epoch seconds,
 * compared with JWT `exp`). Model weights and optimiser state live in the blob directory, named by
 * their SHA-256; in-flight uploads in the uploads directory, named by update id.
 */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS sites (
  id TEXT PRIMARY KEY,
  public_jwk TEXT NOT NULL,
  jkt TEXT NOT NULL,
  enrolled_at TEXT NOT NULL,
  revoked_at TEXT,
  revoked_reason TEXT,
  last_seen_at TEXT
);
CREATE TABLE IF NOT EXISTS enrolment_tokens (
  hash TEXT PRIMARY KEY,
  name TEXT,
  created_at TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at TEXT,
  site_id TEXT
);
CREATE TABLE IF NOT EXISTS issued_tokens (
  jti TEXT PRIMARY KEY,
  site_id TEXT NOT NULL,
  issued_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS revoked_tokens (
  jti TEXT PRIMARY KEY,
  revoked_at TEXT NOT NULL,
  reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS used_assertions (
  jti TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS rounds (
  round INTEGER PRIMARY KEY,
  status TEXT NOT NULL,
  nonce TEXT NOT NULL,
  global_version INTEGER NOT NULL,
  selected TEXT NOT NULL,
  quorum INTEGER NOT NULL,
  deadline TEXT,
  opened_at TEXT NOT NULL,
  closed_at TEXT,
  close_reason TEXT,
  result_version INTEGER
);
CREATE TABLE IF NOT EXISTS updates (
  update_id TEXT PRIMARY KEY,
  round INTEGER NOT NULL,
  site_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('receiving', 'accepted')),
  jws TEXT NOT NULL,
  samples INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  chunks INTEGER NOT NULL,
  begun_at TEXT NOT NULL,
  accepted_at TEXT,
  seq INTEGER
);
CREATE INDEX IF NOT EXISTS updates_round ON updates (round, status, seq);
CREATE TABLE IF NOT EXISTS update_chunks (
  update_id TEXT NOT NULL,
  idx INTEGER NOT NULL,
  PRIMARY KEY (update_id, idx)
);
CREATE TABLE IF NOT EXISTS models (
  version INTEGER PRIMARY KEY,
  round INTEGER,
  sha256 TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  manifest TEXT NOT NULL,
  jws TEXT NOT NULL,
  optimizer_sha256 TEXT,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS operator_state (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'refused')),
  code TEXT,
  detail TEXT NOT NULL
);
`;
