import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createSiteAssertion,
  exportPrivateJwk,
  exportPublicJwk,
  generateSigningKeyPair,
  importSigningPrivateKey,
  type EnrolResponse,
} from '@fedcl/protocol';

/**
 * A site's enrolment, kept in one directory readable only by the agent's user:
 * `site-key.jwk` (the ES256 private key, never sent anywhere) and `enrolment.json` (site id,
 * coordinator URL and public keys, the current access token).
 */
export interface SiteIdentity {
  coordinatorUrl: string;
  enrolment: EnrolResponse;
  siteKey: CryptoKey;
}

export class IdentityError extends Error {
  override readonly name = 'IdentityError';
  /** The coordinator's refusal code when it gave one (e.g. `site.revoked`). */
  constructor(message: string, readonly code?: string) {
    super(message);
  }
}

const KEY_FILE = 'site-key.jwk';
const ENROLMENT_FILE = 'enrolment.json';

function writePrivate(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

async function postJson(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  } catch (err) {
    throw new IdentityError(`cannot reach the coordinator at ${url}: ${(err as Error).message}. Check the URL and that the coordinator is running.`);
  }
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  return { status: res.status, json };
}

/**
 * Enrols this site with a one-time token: generates the site key pair, registers its public
 * key, stores key and enrolment in `dir`. Refuses to overwrite an existing enrolment.
 */
export async function enrolSite(o: { coordinatorUrl: string; token: string; name: string; dir: string }): Promise<SiteIdentity> {
  if (existsSync(join(o.dir, ENROLMENT_FILE))) {
    throw new IdentityError(`${o.dir} already holds an enrolment; use another --identity directory or remove it to enrol again`);
  }
  const base = o.coordinatorUrl.replace(/\/+$/, '');
  const key = await generateSigningKeyPair();
  const { status, json } = await postJson(`${base}/enrol`, { token: o.token, name: o.name, publicKey: await exportPublicJwk(key.publicKey) });
  if (status !== 200) {
    throw new IdentityError(`enrolment refused (HTTP ${status}): ${String(json.message ?? json.error ?? 'no reason given')}`);
  }
  const enrolment = json as unknown as EnrolResponse;
  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  writePrivate(join(o.dir, KEY_FILE), JSON.stringify(await exportPrivateJwk(key.privateKey)));
  writePrivate(join(o.dir, ENROLMENT_FILE), JSON.stringify({ coordinatorUrl: base, enrolment }, null, 2));
  return { coordinatorUrl: base, enrolment, siteKey: key.privateKey };
}

/** Loads an enrolment written by `enrolSite`. */
export async function loadIdentity(dir: string): Promise<SiteIdentity> {
  const file = join(dir, ENROLMENT_FILE);
  if (!existsSync(file)) throw new IdentityError(`no enrolment in ${dir}: run 'fedcl site enrol' first`);
  const saved = JSON.parse(readFileSync(file, 'utf8')) as { coordinatorUrl: string; enrolment: EnrolResponse };
  const siteKey = await importSigningPrivateKey(JSON.parse(readFileSync(join(dir, KEY_FILE), 'utf8')));
  return { coordinatorUrl: saved.coordinatorUrl, enrolment: saved.enrolment, siteKey };
}

/**
 * Exchanges a key-signed assertion for a fresh access token (site JWTs are short-lived) and
 * stores it. Throws IdentityError with the coordinator's reason when refused (e.g. revoked).
 */
export async function refreshToken(identity: SiteIdentity, dir?: string): Promise<string> {
  const assertion = await createSiteAssertion(identity.siteKey, {
    siteId: identity.enrolment.siteId,
    audience: `fedcl:${identity.enrolment.coordinator.federation}/token`,
  });
  const { status, json } = await postJson(`${identity.coordinatorUrl}/token`, { assertion });
  if (status !== 200) {
    throw new IdentityError(`token refresh refused (HTTP ${status}): ${String(json.message ?? 'no reason given')}`, typeof json.code === 'string' ? json.code : undefined);
  }
  identity.enrolment = { ...identity.enrolment, accessToken: String(json.accessToken), expiresAt: Number(json.expiresAt) };
  if (dir) writePrivate(join(dir, ENROLMENT_FILE), JSON.stringify({ coordinatorUrl: identity.coordinatorUrl, enrolment: identity.enrolment }, null, 2));
  return identity.enrolment.accessToken;
}
