import { createHmac, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { DicomError } from '../errors.js';

/** What an identifier identifies; part of the HMAC input so equal strings at two levels hash apart. */
export type IdentifierKind = 'patient' | 'study' | 'series' | 'instance';

/** Length of the hex ids in the index: 128 bits of HMAC-SHA256, collision-free for any site. */
const ID_HEX = 32;

/**
 * Salted, keyed hash of a patient / study / series / instance identifier: HMAC-SHA256 keyed by
 * the site's secret salt over `kind NUL value`, hex, first 128 bits. Without the salt the
 * ids cannot be linked back to the identifiers, even by dictionary attack on patient IDs.
 */
export function hashIdentifier(salt: Uint8Array, kind: IdentifierKind, value: string): string {
  return createHmac('sha256', salt).update(`${kind}\0${value}`).digest('hex').slice(0, ID_HEX);
}

/**
 * A keyed digest of a file's size and modification time: enough for a rescan to tell that a
 * file is unchanged, without writing its modification time (a date) into the index.
 */
export function statStamp(salt: Uint8Array, size: number, mtimeMs: number): string {
  return createHmac('sha256', salt).update(`stat\0${size}\0${mtimeMs}`).digest('hex').slice(0, 16);
}

/** A fingerprint of the salt stored in the index, so a rescan with a different salt is noticed. */
export function saltFingerprint(salt: Uint8Array): string {
  return createHmac('sha256', salt).update('fedcl/salt-fingerprint').digest('hex').slice(0, 16);
}

const SALT_BYTES = 32;

/** Parses a salt file: hex text of at least 16 bytes (whitespace ignored). */
export function parseSalt(text: string, file = 'salt file'): Uint8Array {
  const hex = text.replace(/\s+/g, '');
  if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length % 2 !== 0 || hex.length < 32) {
    throw new DicomError('INVALID_ATTRIBUTE', `${file} must hold a hex-encoded salt of at least 16 bytes (32 hex digits); create one with \`fedcl dicom scan\` (it writes one beside the index) or \`openssl rand -hex 32\``);
  }
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/** Reads a salt file; IO_ERROR when it cannot be read. */
export async function readSalt(path: string): Promise<Uint8Array> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new DicomError('IO_ERROR', `cannot read the salt file (${(err as { code?: string }).code ?? String(err)}); check --salt-file`, { cause: err, file: path });
  }
  return parseSalt(text, path);
}

/**
 * Reads the salt at `path`, or creates a new random one there (mode 0600, never overwriting).
 * Keep it: every id in the index depends on it, and another salt gives other ids.
 */
export async function readOrCreateSalt(path: string): Promise<{ salt: Uint8Array; created: boolean }> {
  const salt = randomBytes(SALT_BYTES);
  try {
    await writeFile(path, `${salt.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    return { salt: Uint8Array.from(salt), created: true };
  } catch (err) {
    if ((err as { code?: string }).code !== 'EEXIST') {
      throw new DicomError('IO_ERROR', `cannot create the salt file (${(err as { code?: string }).code ?? String(err)}); check the directory is writable or pass --salt-file`, { cause: err, file: path });
    }
  }
  return { salt: await readSalt(path), created: false };
}
