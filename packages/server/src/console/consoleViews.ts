import { peekUpdateClaims, UpdateClaims, validate, type AuditEntry } from '@fedcl/protocol';
import type { RoundController, SiteChannel } from '../rounds/roundController.js';
import type { ModelRow, RoundRow, Store, UpdateRow } from '../store/store.js';

/** What the console shows; read from the store on request (small: one row per site, round, model). */
export interface ConsoleSources {
  store: Store;
  controller: RoundController;
  sites: SiteChannel;
}

export type SiteStatus = 'revoked' | 'training' | 'online' | 'idle' | 'offline';

export interface SiteView {
  id: string;
  status: SiteStatus;
  connected: boolean;
  enrolledAt: string;
  lastSeenAt: string | null;
  revokedAt: string | null;
  revokedReason: string | null;
  /** From the site's latest accepted update (null before its first). */
  samples: number | null;
  backend: string | null;
  modelVersion: number | null;
  lastRound: number | null;
  updates: number;
  metrics: Record<string, number>;
}

const claimsOf = (u: UpdateRow): UpdateClaims => validate(UpdateClaims, peekUpdateClaims(u.jws), 'claims');

/**
 * A site is `revoked`; else `training` when connected and selected in the open training round
 * without an accepted update yet; `online` when connected and it has reported in this round
 * (or none is training); `idle` when connected but not selected; `offline` when not connected.
 */
export function siteStatus(o: { revoked: boolean; connected: boolean; round: RoundRow | undefined; accepted: boolean; id: string }): SiteStatus {
  if (o.revoked) return 'revoked';
  if (!o.connected) return 'offline';
  if (o.round?.status !== 'training') return 'online';
  if (!o.round.selected.includes(o.id)) return 'idle';
  return o.accepted ? 'online' : 'training';
}

export function sitesView(s: ConsoleSources): SiteView[] {
  const connected = new Set(s.sites.connectedSites());
  const current = s.controller.current();
  const latest = new Map<string, { u: UpdateRow; c: UpdateClaims; n: number }>();
  for (const u of s.store.allAcceptedUpdates()) {
    const prev = latest.get(u.siteId);
    latest.set(u.siteId, { u, c: claimsOf(u), n: (prev?.n ?? 0) + 1 });
  }
  return s.store.listSites().map((site) => {
    const l = latest.get(site.id);
    return {
      id: site.id,
      status: siteStatus({ revoked: !!site.revokedAt, connected: connected.has(site.id), round: current, accepted: l?.u.round === current?.round, id: site.id }),
      connected: connected.has(site.id),
      enrolledAt: site.enrolledAt,
      lastSeenAt: site.lastSeenAt,
      revokedAt: site.revokedAt,
      revokedReason: site.revokedReason,
      samples: l?.c.samples ?? null,
      backend: l?.c.backend ?? null,
      modelVersion: l?.c.baseVersion ?? null,
      lastRound: l?.u.round ?? null,
      updates: l?.n ?? 0,
      metrics: l?.c.metrics ?? {},
    };
  });
}

export interface RoundView extends RoundRow {
  participants: { site: string; samples: number; bytes: number; acceptedAt: string | null }[];
  bytesIn: number;
  bytesOut: number;
  failures: { at: string; site: string; code: string | null; message: string }[];
}

/** Update refusals (audit) that fall inside a round's open interval are that round's failures. */
export function roundsView(s: ConsoleSources): RoundView[] {
  const refusals = s.store.searchAudit({ outcome: 'refused', action: 'update.', limit: 5000 });
  const accepted = new Map<number, UpdateRow[]>();
  for (const u of s.store.allAcceptedUpdates()) accepted.set(u.round, [...(accepted.get(u.round) ?? []), u]);
  return s.store.listRounds().map((r) => {
    const ups = accepted.get(r.round) ?? [];
    const from = r.openedAt;
    const to = r.closedAt ?? '9999';
    const failures = refusals
      .filter((a) => a.at >= from && a.at <= to)
      .map((a: AuditEntry) => ({ at: a.at, site: a.actor.replace(/^site:/, ''), code: a.code, message: String(a.detail.message ?? '') }))
      .reverse();
    if (r.status === 'failed' && r.closeReason) failures.push({ at: r.closedAt ?? r.openedAt, site: '—', code: 'round.failed', message: r.closeReason });
    return {
      ...r,
      participants: ups.map((u) => ({ site: u.siteId, samples: u.samples, bytes: u.bytes, acceptedAt: u.acceptedAt })),
      bytesIn: ups.reduce((a, u) => a + u.bytes, 0),
      bytesOut: s.controller.bytesSentByRound.get(r.round) ?? 0,
      failures,
    };
  });
}

export interface MetricSeries {
  /** Every metric name reported by any site, sorted. */
  metrics: string[];
  sites: string[];
  /** One point per published round: the sample-weighted global metrics and each site's own. */
  rounds: { round: number; version: number; global: Record<string, number>; sites: Record<string, Record<string, number>> }[];
}

export function metricSeries(models: ModelRow[]): MetricSeries {
  const names = new Set<string>();
  const sites = new Set<string>();
  const rounds = models
    .filter((m) => m.round !== null)
    .map((m) => {
      const per: Record<string, Record<string, number>> = {};
      for (const s of m.manifest.sites) {
        sites.add(s.site);
        per[s.site] = { ...s.metrics };
        Object.keys(s.metrics).forEach((k) => names.add(k));
      }
      return { round: m.round!, version: m.version, global: { ...m.manifest.metrics }, sites: per };
    });
  return { metrics: [...names].sort(), sites: [...sites].sort(), rounds };
}

/** The model list with each provenance manifest and its detached JWS signature. */
export function modelsView(models: ModelRow[]) {
  return models
    .map((m) => ({ version: m.version, round: m.round, createdAt: m.createdAt, sha256: m.sha256, bytes: m.bytes, manifest: m.manifest, signature: { alg: 'ES256', jws: m.jws } }))
    .reverse();
}
