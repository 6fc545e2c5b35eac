import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex } from '@fedcl/protocol';

/** Writes `bytes` to `path` durably: temp file, fsync, rename, fsync of the directory. */
export function writeFileDurably(dir: string, name: string, bytes: Uint8Array): void {
  const tmp = join(dir, `.${name}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w', 0o600);
  try {
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(dir, name));
  const dfd = openSync(dir, 'r');
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}

/** Content-addressed files: a blob's name is the SHA-256 of its bytes, so it is written once and verified on read. */
export class BlobStore {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  path(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new RangeError(`not a SHA-256: ${sha256}`);
    return join(this.dir, `${sha256}.bin`);
  }

  /** Stores bytes and returns their SHA-256 (idempotent). */
  put(bytes: Uint8Array): string {
    const sha = sha256Hex(bytes);
    if (!existsSync(this.path(sha))) writeFileDurably(this.dir, `${sha}.bin`, bytes);
    return sha;
  }

  /** Reads a blob and checks it still hashes to its name (disk corruption is reported, not served). */
  get(sha256: string): Uint8Array {
    const bytes = readFileSync(this.path(sha256));
    const got = sha256Hex(bytes);
    if (got !== sha256) throw new Error(`blob ${sha256} is corrupt on disk (hashes to ${got}); restore it from backup`);
    return bytes;
  }

  size(sha256: string): number {
    return statSync(this.path(sha256)).size;
  }
}
