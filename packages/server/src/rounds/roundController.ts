import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  decodeWeights,
  encodeWeights,
  FederatedNames,
  openUpdate,
  peekUpdateClaims,
  importSigningPublicKey,
  PROTOCOL_VERSION,
  ProtocolError,
  signManifest,
  UpdateClaims,
  validate,
  verifyChunk,
  verifyUpdateClaims,
  type ChunkAck,
  type Metrics,
  type ModelManifest,
  type NamedTensors,
  type RoundStart,
  type TensorSpec,
  type UpdateAck,
  type UpdateBegin,
  type UpdateChunk,
  type UpdateCommit,
  type UpdateReady,
  DEFAULT_WEIGHT_LIMITS,
  type WeightLimits,
} from '@fedcl/protocol';
import { applyServerOptimizer, type OptimizerState } from '../aggregate/serverOptimizer.js';
import { addWeighted, createWeightedSum, weightedMean, type WeightedSum } from '../aggregate/weightedSum.js';
import { configHash, optimizerOf, roundConfigOf, type FederationConfig } from '../config.js';
import type { CoordinatorKeyring } from '../keys.js';
import type { ModelRow, RoundRow, Store, UpdateRow } from '../store/store.js';
import { selectSites } from './selection.js';

/** How the controller reaches the sites (socket.io rooms); kept abstract so the logic is testable. */
export interface SiteChannel {
  connectedSites(): string[];
  send(siteId: string, event: string, message: unknown): void;
  broadcast(event: string, message: unknown): void;
  /** Closes every connection of a site (after revocation). */
  disconnect(siteId: string): void;
}

export interface RoundEvents {
  round: [RoundRow];
  published: [ModelRow];
  accepted: [{ round: number; siteId: string; updateId: string }];
}

const nowIso = (): string => new Date().toISOString();
const weightsPath = (v: number): string => `/models/${v}/weights`;

/**
 * The round state machine: waiting → training → aggregating → published (or failed at the
 * deadline without enough updates). Every state change goes through one serial queue, and is in
 * the store before anyone is told.
 *
 * Durability choice: an update is acknowledged once its ciphertext is fsynced and its row says
 * `accepted` (one SQLite transaction). The running weighted sum itself is kept in memory only; it
 * is a deterministic function of the accepted updates, so a restarted coordinator re-folds them in
 * `seq` order and gets the identical sum. That costs no extra write per update (the ciphertext is
 * already on disk for resumable uploads), where persisting the sum would rewrite a model-sized
 * buffer per update (100 sites × 44 MB). Upload files are deleted when the round is published.
 */
export class RoundController extends EventEmitter<RoundEvents> {
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private global: { version: number; tensors: NamedTensors; spec: TensorSpec[] } | undefined;
  private sum: WeightedSum | undefined;
  private served: { version: number; bytes: Uint8Array } | undefined;
  private readonly names: FederatedNames;
  private readonly limits: WeightLimits;
  private pausedAt: string | null = null;
  readonly counters = { bytesReceived: 0, bytesSent: 0, aggregateSeconds: 0 };
  /** Weight bytes served per round (downloads made while that round was the current one); in memory only. */
  readonly bytesSentByRound = new Map<number, number>();

  constructor(
    private readonly config: FederationConfig,
    private readonly store: Store,
    private readonly keys: CoordinatorKeyring,
    private readonly sites: SiteChannel,
  ) {
    super();
    this.names = new FederatedNames(config.model.policy);
    this.limits = { ...DEFAULT_WEIGHT_LIMITS, maxTensors: config.limits.maxTensors, maxBytes: config.limits.maxUpdateBytes * 4 };
  }

  /** Runs `fn` after every earlier state change has finished. */
  private serial<T>(fn: () => Promise<T> | T): Promise<T> {
    const next = this.queue.then(fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  current(): RoundRow | undefined {
    return this.store.latestRound();
  }

  /**
   * Operator decisions survive a restart: a pause stays a pause, and round settings changed in
   * the console stay in force — unless the configuration file's round settings changed since,
   * in which case the file wins (someone edited it on purpose) and the override is dropped.
   */
  private restoreOperatorState(): void {
    const paused = this.store.getOperatorState<string>('pausedAt');
    if (paused) this.pausedAt = paused;
    const o = this.store.getOperatorState<{ base: FederationConfig['rounds']; rounds: FederationConfig['rounds'] }>('rounds');
    if (!o) return;
    if (JSON.stringify(o.base) === JSON.stringify(this.config.rounds)) {
      Object.assign(this.config.rounds, o.rounds);
    } else {
      this.store.setOperatorState('rounds', undefined);
      this.store.audit({ actor: 'coordinator', action: 'rounds.settings', outcome: 'ok', detail: { message: 'the configuration file changed since the console set the round settings: using the file', dropped: o.rounds, file: { ...this.config.rounds } } });
    }
  }

  /** Start-up: load the global model, rebuild the running sum of an open round, re-arm its deadline. */
  start(initial?: NamedTensors): Promise<void> {
    return this.serial(async () => {
      this.restoreOperatorState();
      if (!this.store.latestModel()) {
        if (!initial) return;
        await this.publishModel(this.names.select(initial), { round: null, parents: [], sites: [], optimizerState: new Map(), metrics: {} });
      }
      this.loadGlobal();
      const r = this.current();
      if (r && (r.status === 'training' || r.status === 'aggregating')) {
        await this.refold(r);
        if (r.status === 'aggregating') await this.aggregate(r, r.closeReason ?? 'resumed after restart');
        else this.armDeadline(r);
      }
      this.ensureWaitingRound();
      this.maybeStartRound();
    });
  }

  /** Publishes version 0 from `tensors` when the store has no model yet (programmatic start). */
  publishInitial(tensors: NamedTensors): Promise<ModelRow> {
    return this.serial(async () => {
      const existing = this.store.latestModel();
      if (existing) return existing;
      const row = await this.publishModel(this.names.select(tensors), { round: null, parents: [], sites: [], optimizerState: new Map(), metrics: {} });
      this.loadGlobal();
      this.ensureWaitingRound();
      this.maybeStartRound();
      return row;
    });
  }

  private loadGlobal(): void {
    const m = this.store.latestModel();
    if (!m) return;
    if (this.global?.version === m.version) return;
    const tensors = decodeWeights(this.store.blobs.get(m.sha256), { ...DEFAULT_WEIGHT_LIMITS, maxBytes: Number.MAX_SAFE_INTEGER, maxTensors: 1 << 20 });
    this.global = { version: m.version, tensors, spec: m.manifest.tensors };
  }

  private async refold(r: RoundRow): Promise<void> {
    this.sum = createWeightedSum(this.global!.spec);
    for (const u of this.store.acceptedUpdates(r.round)) {
      const claims = validate(UpdateClaims, peekUpdateClaims(u.jws), 'claims');
      const tensors = await openUpdate(this.store.uploads.read(u.updateId), claims, { coordinatorKey: this.keys.encryption.privateKey, limits: this.limits, spec: this.global!.spec, names: this.names });
      addWeighted(this.sum, tensors, claims.samples, claims.kind === 'weights' ? this.global!.tensors : undefined);
    }
  }

  close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    return this.serial(() => undefined);
  }

  /** When the operator paused the federation (ISO), or null while it runs. */
  get paused(): string | null {
    return this.pausedAt;
  }

  /** No new round opens until resume(); a round already training runs to its end. */
  pause(actor: string): Promise<void> {
    return this.serial(() => {
      if (this.pausedAt) return;
      this.pausedAt = nowIso();
      this.store.setOperatorState('pausedAt', this.pausedAt);
      this.store.audit({ actor, action: 'federation.pause', outcome: 'ok', detail: { round: this.current()?.round ?? null } });
    });
  }

  resume(actor: string): Promise<void> {
    return this.serial(() => {
      if (!this.pausedAt) return;
      this.pausedAt = null;
      this.store.setOperatorState('pausedAt', undefined);
      this.store.audit({ actor, action: 'federation.resume', outcome: 'ok', detail: {} });
      this.ensureWaitingRound();
      this.maybeStartRound();
    });
  }

  /**
   * Changes the round settings for the rounds that open from now on (the open round keeps its
   * selection and deadline). `next` must already be validated against FederationConfig.rounds.
   */
  setRoundSettings(next: FederationConfig['rounds'], actor: string): Promise<FederationConfig['rounds']> {
    return this.serial(() => {
      if (next.minUpdates > next.minSites) throw new RangeError(`rounds.minUpdates (${next.minUpdates}) cannot exceed rounds.minSites (${next.minSites})`);
      const before = { ...this.config.rounds };
      // The file's settings this override applies to (kept across repeated console changes).
      const base = this.store.getOperatorState<{ base: FederationConfig['rounds'] }>('rounds')?.base ?? before;
      Object.assign(this.config.rounds, next);
      this.store.setOperatorState('rounds', { base, rounds: { ...this.config.rounds } });
      this.store.audit({ actor, action: 'rounds.settings', outcome: 'ok', detail: { before, after: { ...this.config.rounds } } });
      this.ensureWaitingRound();
      this.maybeStartRound();
      return { ...this.config.rounds };
    });
  }

  // ── round lifecycle ────────────────────────────────────────────────────
  private ensureWaitingRound(): void {
    if (!this.global) return;
    const last = this.current();
    if (last && (last.status === 'waiting' || last.status === 'training' || last.status === 'aggregating')) return;
    const next = (last?.round ?? 0) + 1;
    if (this.config.rounds.total > 0 && next > this.config.rounds.total) return;
    const row: RoundRow = {
      round: next, status: 'waiting', nonce: randomBytes(16).toString('base64url'), globalVersion: this.global.version, selected: [], quorum: 0,
      deadline: null, openedAt: nowIso(), closedAt: null, closeReason: null, resultVersion: null,
    };
    this.store.insertRound(row);
    this.store.audit({ actor: 'coordinator', action: 'round.open', outcome: 'ok', detail: { round: row.round, globalVersion: row.globalVersion } });
    this.emit('round', row);
  }

  /** Called when a site connects: re-sends round.start to a selected site, or opens a round when enough are here. */
  siteConnected(siteId: string): Promise<void> {
    return this.serial(() => {
      const r = this.current();
      if (r?.status === 'training' && r.selected.includes(siteId) && !this.store.acceptedUpdates(r.round).some((u) => u.siteId === siteId)) {
        this.sites.send(siteId, 'round.start', this.roundStart(r));
      }
      this.maybeStartRound();
    });
  }

  private maybeStartRound(): void {
    if (this.closed || this.pausedAt) return;
    const r = this.current();
    if (r?.status !== 'waiting' || !this.global) return;
    const available = this.sites.connectedSites().filter((id) => !this.store.getSite(id)?.revokedAt);
    const pick = selectSites(available, this.config.rounds);
    if (!pick) return;
    const deadline = new Date(Date.now() + this.config.rounds.deadlineSeconds * 1000).toISOString();
    this.store.updateRound(r.round, { status: 'training', selected: pick.selected, quorum: pick.quorum, deadline });
    const row = this.store.getRound(r.round)!;
    this.sum = createWeightedSum(this.global.spec);
    this.store.audit({ actor: 'coordinator', action: 'round.start', outcome: 'ok', detail: { round: row.round, selected: row.selected, quorum: row.quorum, deadline } });
    this.emit('round', row);
    this.armDeadline(row);
    const msg = this.roundStart(row);
    for (const s of row.selected) this.sites.send(s, 'round.start', msg);
  }

  private roundStart(r: RoundRow): RoundStart {
    const m = this.store.getModel(r.globalVersion)!;
    return {
      type: 'round.start', v: PROTOCOL_VERSION, round: r.round, nonce: r.nonce, deadline: r.deadline!, globalVersion: r.globalVersion,
      manifest: m.jws, weightsPath: weightsPath(m.version), config: roundConfigOf(this.config),
    };
  }

  private armDeadline(r: RoundRow): void {
    if (this.timer) clearTimeout(this.timer);
    const ms = Math.max(0, Date.parse(r.deadline!) - Date.now());
    this.timer = setTimeout(() => void this.serial(() => this.onDeadline(r.round)).catch((err) => this.store.audit({ actor: 'coordinator', action: 'round.deadline', outcome: 'refused', code: 'internal', detail: { error: String(err) } })), ms);
    this.timer.unref();
  }

  private async onDeadline(roundNo: number): Promise<void> {
    const r = this.current();
    if (this.closed || r?.round !== roundNo || r.status !== 'training') return;
    const accepted = this.store.acceptedUpdates(r.round).length;
    if (accepted >= this.config.rounds.minUpdates) {
      await this.aggregate(r, `deadline ${r.deadline} reached with ${accepted} of ${r.selected.length} updates`);
    } else {
      this.fail(r, `deadline ${r.deadline} reached with ${accepted} updates, fewer than the ${this.config.rounds.minUpdates} required`);
    }
  }

  private fail(r: RoundRow, reason: string): void {
    this.store.updateRound(r.round, { status: 'failed', closedAt: nowIso(), closeReason: reason });
    this.store.audit({ actor: 'coordinator', action: 'round.failed', outcome: 'ok', detail: { round: r.round, reason } });
    this.cleanupUploads(r.round);
    this.sum = undefined;
    this.notifyClosed(r, 'failed', reason);
    this.emit('round', this.store.getRound(r.round)!);
    this.ensureWaitingRound();
    this.maybeStartRound();
  }

  private notifyClosed(r: RoundRow, status: string, reason: string): void {
    const done = new Set(this.store.acceptedUpdates(r.round).map((u) => u.siteId));
    for (const s of r.selected) if (!done.has(s)) this.sites.send(s, 'round.closed', { type: 'round.closed', v: PROTOCOL_VERSION, round: r.round, status, reason });
  }

  private cleanupUploads(roundNo: number): void {
    for (const u of [...this.store.acceptedUpdates(roundNo), ...this.store.receivingUpdates(roundNo)]) this.store.uploads.remove(u.updateId);
    for (const u of this.store.receivingUpdates(roundNo)) this.store.discardUpload(u.updateId);
  }

  /** Quorum check after each accepted update (straggler policy). */
  private async maybeClose(roundNo: number): Promise<void> {
    const r = this.current();
    if (r?.round !== roundNo || r.status !== 'training') return;
    const accepted = this.store.acceptedUpdates(r.round).length;
    if (this.config.rounds.stragglers === 'close-at-quorum' && accepted >= r.quorum) {
      await this.aggregate(r, `closed at quorum: ${accepted} of ${r.selected.length} selected sites reported (quorum ${r.quorum})`);
    } else if (accepted === r.selected.length) {
      await this.aggregate(r, `all ${accepted} selected sites reported`);
    }
  }

  private async aggregate(r: RoundRow, reason: string): Promise<void> {
    const t0 = performance.now();
    if (this.timer) clearTimeout(this.timer);
    this.store.updateRound(r.round, { status: 'aggregating', closedAt: nowIso(), closeReason: reason });
    this.store.audit({ actor: 'coordinator', action: 'round.aggregating', outcome: 'ok', detail: { round: r.round, reason } });
    this.emit('round', this.store.getRound(r.round)!);
    this.notifyClosed(r, 'aggregating', reason);
    const updates = this.store.acceptedUpdates(r.round);
    if (!this.sum || this.sum.count !== updates.length) await this.refold(r);
    const sum = this.sum!;
    const prev = this.store.getModel(r.globalVersion)!;
    const state = prev.optimizerSha256 ? stateFromBlob(this.store.blobs.get(prev.optimizerSha256)) : new Map();
    const step = applyServerOptimizer(optimizerOf(this.config), this.global!.tensors, weightedMean(sum), state);
    const claims = updates.map((u) => validate(UpdateClaims, peekUpdateClaims(u.jws), 'claims'));
    await this.publishModel(step.weights, {
      round: r.round,
      parents: [r.globalVersion],
      sites: claims.map((c) => ({ site: c.site, samples: c.samples, updateId: c.updateId, metrics: c.metrics, ...(c.backend ? { backend: c.backend } : {}) })),
      optimizerState: step.state,
      metrics: weightedMetrics(claims),
    });
    this.cleanupUploads(r.round);
    this.sum = undefined;
    this.loadGlobal();
    this.counters.aggregateSeconds += (performance.now() - t0) / 1000;
    this.emit('round', this.store.getRound(r.round)!);
    this.ensureWaitingRound();
    this.maybeStartRound();
  }

  /** Writes weights and optimiser state as blobs, signs the manifest, and records model + round in one transaction. */
  private async publishModel(
    weights: NamedTensors,
    o: { round: number | null; parents: number[]; sites: ModelManifest['sites']; optimizerState: OptimizerState; metrics: Metrics },
  ): Promise<ModelRow> {
    const bytes = encodeWeights(weights, 'fp32');
    const sha256 = this.store.blobs.put(bytes);
    const optimizerSha256 = o.optimizerState.size > 0 ? this.store.blobs.put(stateToBlob(o.optimizerState)) : null;
    const version = (this.store.latestModel()?.version ?? -1) + 1;
    const manifest: ModelManifest = {
      v: PROTOCOL_VERSION, federation: this.config.federation, version, round: o.round, parents: o.parents, createdAt: nowIso(), sha256, bytes: bytes.length,
      dtype: 'fp32', tensors: [...weights].map(([name, t]) => ({ name, shape: [...t.shape] })), sites: o.sites,
      samples: o.sites.reduce((a, s) => a + s.samples, 0), configHash: configHash(this.config),
      aggregator: { name: this.config.aggregator.name, params: Object.fromEntries(Object.entries(this.config.aggregator).filter(([, v]) => typeof v === 'number')) as Record<string, number> },
      metrics: o.metrics, policy: this.config.model.policy,
    };
    const jws = await signManifest(manifest, this.keys.signing.privateKey);
    const row: ModelRow = { version, round: o.round, sha256, bytes: bytes.length, manifest, jws, optimizerSha256, createdAt: manifest.createdAt };
    this.store.tx(() => {
      this.store.insertModel(row);
      if (o.round !== null) this.store.updateRound(o.round, { status: 'published', resultVersion: version });
    });
    this.store.audit({ actor: 'coordinator', action: 'model.published', outcome: 'ok', detail: { version, round: o.round, sha256, sites: o.sites.map((s) => s.site) } });
    this.emit('published', row);
    this.sites.broadcast('model.published', { type: 'model.published', v: PROTOCOL_VERSION, version, round: o.round, manifest: jws, weightsPath: weightsPath(version) });
    return row;
  }

  // ── uploads ────────────────────────────────────────────────────────────
  /** update.begin: verify the site's signed claims and open (or resume) an upload. */
  begin(siteId: string, msg: UpdateBegin): Promise<UpdateReady> {
    return this.serial(async () => {
      const peek = peekUpdateClaims(msg.jws) as { site?: unknown } | undefined;
      if (!peek || peek.site !== siteId) throw new ProtocolError('update.claims_mismatch', `the update claims name site '${String(peek?.site)}' but this connection is site '${siteId}'`, 'claims.site');
      const site = this.store.getSite(siteId);
      if (!site) throw new ProtocolError('site.unknown', `site '${siteId}' is not enrolled`);
      if (site.revokedAt) throw new ProtocolError('site.revoked', `site '${siteId}' was revoked at ${site.revokedAt}`);
      const claims = await verifyUpdateClaims(msg.jws, await importSigningPublicKey(site.publicJwk));
      const existing = this.store.getUpdate(claims.updateId);
      if (existing?.status === 'accepted') throw new ProtocolError('update.replayed', `update ${claims.updateId} was already accepted in round ${existing.round}: replays are refused`, 'claims.updateId');
      if (existing && (existing.siteId !== siteId || existing.jws !== msg.jws)) throw new ProtocolError('update.claims_mismatch', `update id ${claims.updateId} is already in use with other claims; pick a fresh id`, 'claims.updateId');
      this.checkRound(claims.round, claims.nonce, siteId);
      const r = this.current()!;
      if (claims.baseVersion !== r.globalVersion) throw new ProtocolError('update.claims_mismatch', `update was trained from version ${claims.baseVersion}, round ${r.round} uses version ${r.globalVersion}`, 'claims.baseVersion');
      if (claims.bytes > this.config.limits.maxUpdateBytes) throw new ProtocolError('update.too_large', `update of ${claims.bytes} bytes exceeds the limit of ${this.config.limits.maxUpdateBytes} bytes: send fp16 or int8, or ask the operator to raise limits.maxUpdateBytes`, 'claims.bytes');
      if (claims.chunks !== Math.ceil(claims.bytes / claims.chunkSize)) throw new ProtocolError('update.claims_mismatch', `${claims.bytes} bytes in chunks of ${claims.chunkSize} makes ${Math.ceil(claims.bytes / claims.chunkSize)} chunks, not ${claims.chunks}`, 'claims.chunks');
      if (existing) return { type: 'update.ready', v: PROTOCOL_VERSION, updateId: claims.updateId, have: this.store.chunksOf(claims.updateId) };
      this.store.beginUpload({ updateId: claims.updateId, round: claims.round, siteId, jws: msg.jws, samples: claims.samples, bytes: claims.bytes, chunks: claims.chunks });
      return { type: 'update.ready', v: PROTOCOL_VERSION, updateId: claims.updateId, have: [] };
    });
  }

  /** Refuses anything but the open training round, its nonce, a selected site with no accepted update yet. */
  private checkRound(roundNo: number, nonce: string, siteId: string): void {
    const r = this.current();
    const asked = this.store.getRound(roundNo);
    if (!asked) throw new ProtocolError('round.unknown', `round ${roundNo} does not exist (current: ${r?.round ?? 'none'})`, 'claims.round');
    if (asked.status !== 'training') {
      throw new ProtocolError('round.closed', `round ${roundNo} is ${asked.status}${asked.closeReason ? ` (${asked.closeReason})` : ''}: late updates are refused; wait for the next round.start`, 'claims.round');
    }
    if (nonce !== asked.nonce) throw new ProtocolError('round.nonce_mismatch', `the nonce does not match round ${roundNo}'s: the update was prepared for another round or replayed`, 'claims.nonce');
    if (!asked.selected.includes(siteId)) throw new ProtocolError('round.not_selected', `site '${siteId}' was not selected for round ${roundNo}`);
    if (this.store.acceptedUpdates(roundNo).some((u) => u.siteId === siteId)) throw new ProtocolError('update.duplicate', `site '${siteId}' already has an accepted update in round ${roundNo}`, 'claims.updateId');
  }

  private upload(siteId: string, updateId: string): UpdateRow {
    const u = this.store.getUpdate(updateId);
    if (!u || u.siteId !== siteId) throw new ProtocolError('update.unknown', `no upload ${updateId} in progress for site '${siteId}': send update.begin first`, 'updateId');
    if (u.status === 'accepted') throw new ProtocolError('update.replayed', `update ${updateId} was already accepted`, 'updateId');
    return u;
  }

  /** update.chunk: check index, size and hash, write it durably, then record it. */
  chunk(siteId: string, msg: UpdateChunk): Promise<ChunkAck> {
    return this.serial(() => {
      const u = this.upload(siteId, msg.updateId);
      const claims = validate(UpdateClaims, peekUpdateClaims(u.jws), 'claims');
      if (msg.data.length > claims.chunkSize) {
        throw new ProtocolError('chunk.too_large', `chunk ${msg.index} has ${msg.data.length} bytes, more than the announced chunk size ${claims.chunkSize}`, 'data');
      }
      verifyChunk(msg, claims);
      const r = this.store.getRound(u.round);
      if (r?.status !== 'training') throw new ProtocolError('round.closed', `round ${u.round} is ${r?.status}: late chunks are refused`);
      this.store.uploads.writeChunk(u.updateId, msg.index * claims.chunkSize, msg.data);
      this.counters.bytesReceived += msg.data.length;
      const received = this.store.addChunk(u.updateId, msg.index);
      return { type: 'chunk.ack', v: PROTOCOL_VERSION, updateId: u.updateId, index: msg.index, received };
    });
  }

  /**
   * update.commit: hash, decrypt, decode, shapes, finiteness; then accept durably, fold, ack.
   * A refused update is forgotten entirely (rows and file), so the store is as before update.begin.
   */
  commit(siteId: string, msg: UpdateCommit): Promise<UpdateAck> {
    return this.serial(async () => {
      const u = this.upload(siteId, msg.updateId);
      const claims = validate(UpdateClaims, peekUpdateClaims(u.jws), 'claims');
      const have = this.store.chunksOf(u.updateId);
      if (have.length !== u.chunks) {
        const missing = Array.from({ length: u.chunks }, (_, i) => i).filter((i) => !have.includes(i));
        throw new ProtocolError('chunk.missing', `update ${u.updateId} still lacks chunks ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? '…' : ''}: send them, then commit`);
      }
      let tensors: NamedTensors;
      try {
        this.checkRound(claims.round, claims.nonce, siteId);
        tensors = await openUpdate(this.store.uploads.read(u.updateId), claims, { coordinatorKey: this.keys.encryption.privateKey, limits: this.limits, spec: this.global!.spec, names: this.names });
      } catch (err) {
        this.store.discardUpload(u.updateId);
        throw err;
      }
      this.store.acceptUpdate(u.updateId);
      if (!this.sum) this.sum = createWeightedSum(this.global!.spec);
      addWeighted(this.sum, tensors, claims.samples, claims.kind === 'weights' ? this.global!.tensors : undefined);
      const r = this.current()!;
      const accepted = this.store.acceptedUpdates(r.round).length;
      this.emit('accepted', { round: r.round, siteId, updateId: u.updateId });
      void this.serial(() => this.maybeClose(r.round)).catch((err) => this.store.audit({ actor: 'coordinator', action: 'round.aggregate', outcome: 'refused', code: 'internal', detail: { error: String(err) } }));
      return { type: 'update.ack', v: PROTOCOL_VERSION, updateId: u.updateId, round: r.round, accepted, quorum: r.quorum };
    });
  }

  /** Global model weights for downloads (fp32 FCLW bytes). */
  modelBytes(version: number): Uint8Array | undefined {
    const m = this.store.getModel(version);
    if (!m) return undefined;
    // Every selected site downloads the same version: read and verify its blob once, not per site.
    if (this.served?.version !== version) this.served = { version, bytes: this.store.blobs.get(m.sha256) };
    const bytes = this.served.bytes;
    this.counters.bytesSent += bytes.length;
    const r = this.current();
    if (r) this.bytesSentByRound.set(r.round, (this.bytesSentByRound.get(r.round) ?? 0) + bytes.length);
    return bytes;
  }
}

function weightedMetrics(claims: UpdateClaims[]): Metrics {
  const sums = new Map<string, { s: number; w: number }>();
  for (const c of claims) for (const [k, v] of Object.entries(c.metrics)) {
    const e = sums.get(k) ?? { s: 0, w: 0 };
    e.s += v * c.samples;
    e.w += c.samples;
    sums.set(k, e);
  }
  return Object.fromEntries([...sums].map(([k, e]) => [k, e.s / e.w]));
}

function stateToBlob(state: OptimizerState): Uint8Array {
  return encodeWeights(new Map([...state].map(([k, v]) => [k, { shape: [v.length], data: v }])), 'fp32');
}

function stateFromBlob(bytes: Uint8Array): OptimizerState {
  return new Map([...decodeWeights(bytes, { ...DEFAULT_WEIGHT_LIMITS, maxBytes: Number.MAX_SAFE_INTEGER, maxTensors: 1 << 20 })].map(([k, t]) => [k, t.data]));
}
