import { createHash, randomUUID } from 'node:crypto';

/**
 * UIDs under the `2.25` root: a UUID written as one decimal integer (PS3.5 §B.2, ITU-T X.667),
 * so no registered organisation root is needed and uniqueness is that of the UUID.
 */

/** `2.25.<decimal of the 128-bit UUID>` for 16 UUID bytes. */
export function uidFromUuidBytes(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new RangeError(`a UUID has 16 bytes, got ${bytes.length}`);
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return `2.25.${n.toString(10)}`;
}

/** `2.25.<uuid>` for a textual UUID such as `f81d4fae-7dec-11d0-a765-00a0c91e6bf6`. */
export function uidFromUuid(uuid: string): string {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new RangeError(`not a UUID: '${uuid}'`);
  return uidFromUuidBytes(Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16))));
}

/** A fresh random UID (UUID version 4). */
export function randomUid(): string {
  return uidFromUuid(randomUUID());
}

/** The RFC 4122 namespace under which fedcl derives name-based UUIDs (itself a random v4 UUID). */
const FEDCL_NAMESPACE = Uint8Array.from('6f2b1c0e9d4a4e0b8f6a3c5d7e9b1a24'.match(/../g)!.map((h) => parseInt(h, 16)));

/**
 * A deterministic UID for a name: the RFC 4122 version-5 (SHA-1, name-based) UUID of `name`
 * in fedcl's namespace. Same name → same UID, so seeded synthetic data is reproducible byte for byte.
 */
export function uidFromName(name: string): string {
  const digest = createHash('sha1').update(FEDCL_NAMESPACE).update(name, 'utf8').digest();
  const bytes = Uint8Array.from(digest.subarray(0, 16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return uidFromUuidBytes(bytes);
}

/** Identifies fedcl as the writer of a file, in (0002,0012) Implementation Class UID. */
export const FEDCL_IMPLEMENTATION_CLASS_UID = uidFromName('fedcl implementation class');
/** (0002,0013) Implementation Version Name, at most 16 characters. */
export const FEDCL_IMPLEMENTATION_VERSION_NAME = 'FEDCL_0_1_0';
