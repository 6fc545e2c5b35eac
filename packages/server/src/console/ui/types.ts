import type { AuditEntry, ModelManifest } from '@fedcl/protocol';
import type { RoundRow } from '../../store/store.js';
import type { MetricSeries, RoundView, SiteView } from '../consoleViews.js';

export type { AuditEntry, MetricSeries, RoundRow, RoundView, SiteView };

export interface ConsoleState {
  federation: string;
  paused: string | null;
  settings: { total: number; minSites: number; fraction: number; quorumFraction: number; minUpdates: number; deadlineSeconds: number; stragglers: 'close-at-quorum' | 'wait-for-deadline' };
  round: RoundRow | null;
  connectedSites: string[];
  latestVersion: number | null;
  counters: { bytesReceived: number; bytesSent: number; aggregateSeconds: number };
  serverTime: string;
}

export interface EnrolmentTokenView {
  id: string;
  name: string | null;
  createdAt: string;
  expiresAt: number;
  usedAt: string | null;
  siteId: string | null;
}

export interface ModelView {
  version: number;
  round: number | null;
  createdAt: string;
  sha256: string;
  bytes: number;
  manifest: ModelManifest;
  signature: { alg: string; jws: string };
}

/** What a view gets: a container to fill and a way to ask for a fresh state. */
export interface ViewContext {
  root: HTMLElement;
  state: () => ConsoleState;
  refreshState: () => Promise<void>;
}

export interface View {
  /** Fills the root on first show. */
  show(ctx: ViewContext): Promise<void>;
  /** Re-reads its data after a push; topics say what changed. */
  refresh(ctx: ViewContext, topics: string[]): Promise<void>;
}
