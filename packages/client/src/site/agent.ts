import { io, type Socket } from 'socket.io-client';
import {
  computeDelta,
  decodeWeights,
  FederatedNames,
  importEncryptionPublicKey,
  importSigningPublicKey,
  prepareUpdate,
  SITES_NAMESPACE,
  verifyManifest,
  verifyModelWeights,
  type ModelManifest,
  type NamedTensors,
  type PreparedUpdate,
  type RoundStart,
} from '@fedcl/protocol';
import type { BatchSource, TrainProgress } from '@fedcl/ssl';
import { knnAccuracy, loadKnnTask, type KnnTask } from '../monitor/knnMonitor.js';
import { refreshToken, type SiteIdentity } from './identity.js';
import { LocalModel } from './localModel.js';
import { trainingSpec, type TrainingSpec } from './trainingSpec.js';

/** The data a site trains on, built for a round's spec (image size and batch size come from it). */
export interface SiteData {
  /** Images in the dataset (the FedAvg weight). */
  readonly samples: number;
  /** The most common modality, for the `auto` augmentation preset. */
  readonly modality: string | undefined;
  source(spec: TrainingSpec): BatchSource;
}

/** One round as the site saw it; the simulate report and the agent log are made of these. */
export interface SiteRoundReport {
  round: number;
  globalVersion: number;
  samples: number;
  loss: number;
  steps: number;
  trainSeconds: number;
  /** kNN accuracy of the locally trained encoder on the site's monitor set, when it has one. */
  knnAccuracy?: number;
  /** Bytes of global weights downloaded and of ciphertext uploaded. */
  bytesReceived: number;
  bytesSent: number;
  outcome: 'accepted' | 'refused';
  reason?: string;
}

export interface SiteAgentOptions {
  identity: SiteIdentity;
  /** Where a refreshed token is saved (the identity directory). */
  identityDir?: string;
  data: SiteData;
  /** The compute backend's name, sent with each update and written to reports. */
  backend: string;
  log?: (line: string) => void;
  onProgress?: (p: TrainProgress & { round: number }) => void;
  onRound?: (r: SiteRoundReport) => void;
  /** A local labelled CSV: after each round the site's kNN accuracy on it is sent as a metric. */
  monitorLabels?: string;
  /** Reconnection backoff (ms): first delay and cap. Defaults 500 and 30000. */
  backoff?: { initialMs?: number; maxMs?: number };
  /** Upload chunk size in bytes (default and maximum: the protocol's 1 MiB). */
  chunkSize?: number;
}

export class SiteAgentError extends Error {
  override readonly name = 'SiteAgentError';
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

const FATAL_CONNECT = new Set(['site.revoked', 'token.revoked', 'site.unknown', 'token.forged']);

/**
 * The hospital-side agent: keeps a socket.io connection to the coordinator (JWT at the
 * handshake, refreshed when it expires, reconnecting with capped exponential backoff), and for
 * every `round.start` verifies the signed manifest and the weights' hash, trains locally, and
 * uploads the encrypted, signed update, resuming an interrupted upload chunk-wise. Only
 * weights, the sample count and aggregate metrics leave the site.
 */
export class SiteAgent {
  private socket: Socket | undefined;
  private model: LocalModel | undefined;
  private modelSpec = '';
  private monitor: { size: number; task: KnnTask } | undefined;
  private queue: Promise<void> = Promise.resolve();
  private readonly seenRounds = new Set<number>();
  private stopped = false;
  private fatal: ((err: Error) => void) | undefined;
  private readonly log: (line: string) => void;

  constructor(private readonly o: SiteAgentOptions) {
    this.log = o.log ?? (() => {});
  }

  get siteId(): string {
    return this.o.identity.enrolment.siteId;
  }

  /**
   * Connects and serves rounds until `stop()` (resolves) or a fatal refusal such as revocation
   * (rejects with SiteAgentError naming the code).
   */
  run(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.fatal = (err) => {
        // Settle as a failure: stop() would otherwise resolve run() first.
        this.resolveRun = undefined;
        this.stop();
        reject(err);
      };
      this.resolveRun = resolve;
      this.connect();
    });
  }

  private resolveRun: (() => void) | undefined;

  stop(): void {
    this.stopped = true;
    this.socket?.close();
    this.socket = undefined;
    this.model?.dispose();
    this.model = undefined;
    this.resolveRun?.();
  }

  private connect(): void {
    const { identity } = this.o;
    const socket = io(`${identity.coordinatorUrl}${SITES_NAMESPACE}`, {
      auth: (cb) => cb({ token: identity.enrolment.accessToken }),
      transports: ['websocket'],
      reconnectionDelay: this.o.backoff?.initialMs ?? 500,
      reconnectionDelayMax: this.o.backoff?.maxMs ?? 30000,
      randomizationFactor: 0.5,
    });
    this.socket = socket;
    socket.on('connect', () => this.log(`connected to ${identity.coordinatorUrl} as ${this.siteId}`));
    socket.on('disconnect', (reason) => {
      if (this.stopped) return;
      this.log(`disconnected (${reason}); reconnecting`);
      // socket.io does not reconnect by itself after a server-side disconnect (a coordinator
      // shutting down, or revoking this site): reconnect, so a restart is survived and a
      // revocation surfaces as a refused handshake.
      if (reason === 'io server disconnect') this.reconnectLater(socket);
    });
    socket.on('connect_error', (err: Error & { data?: { code?: string; message?: string } }) => void this.onConnectError(socket, err));
    socket.on('round.start', (start: RoundStart) => {
      if (this.seenRounds.has(start.round)) return;
      this.seenRounds.add(start.round);
      this.queue = this.queue.then(() => this.serveRound(start)).catch((err: Error & { code?: unknown }) => this.log(`round ${start.round} failed: ${typeof err.code === 'string' ? `${err.code}: ` : ''}${err.message}`));
    });
  }

  private async onConnectError(socket: Socket, err: Error & { data?: { code?: string; message?: string } }): Promise<void> {
    const code = err.data?.code;
    if (code === 'token.expired') {
      try {
        await refreshToken(this.o.identity, this.o.identityDir);
        this.log('access token refreshed');
        if (!socket.active) socket.connect();
      } catch (e) {
        const refused = (e as { code?: unknown }).code;
        this.fatal?.(new SiteAgentError(typeof refused === 'string' && FATAL_CONNECT.has(refused) ? refused : 'token.refresh_failed', (e as Error).message));
      }
      return;
    }
    if (code && FATAL_CONNECT.has(code)) {
      this.fatal?.(new SiteAgentError(code, `the coordinator refused this site: ${err.data?.message ?? code}`));
      return;
    }
    this.log(`cannot connect: ${err.message}; retrying with backoff`);
    // socket.io stops retrying after a middleware refusal: retry ourselves for transient ones.
    if (!socket.active) this.reconnectLater(socket);
  }

  /** Reconnects after the backoff's first delay (socket.io's own backoff takes over from there). */
  private reconnectLater(socket: Socket): void {
    setTimeout(() => {
      if (!this.stopped && this.socket === socket && !socket.active) socket.connect();
    }, this.o.backoff?.initialMs ?? 500);
  }

  /** Downloads and verifies the global model of a round: signed manifest, version, weights hash. */
  private async fetchGlobal(start: RoundStart): Promise<{ manifest: ModelManifest; weights: NamedTensors; bytes: number }> {
    const { identity } = this.o;
    const manifest = await verifyManifest(start.manifest, await importSigningPublicKey(identity.enrolment.coordinator.signingKey), {
      expectedVersion: start.globalVersion,
    });
    const res = await fetch(`${identity.coordinatorUrl}${start.weightsPath}`, { headers: { authorization: `Bearer ${identity.enrolment.accessToken}` } });
    if (res.status === 401) {
      await refreshToken(identity, this.o.identityDir);
      return this.fetchGlobal(start);
    }
    if (res.status !== 200) throw new SiteAgentError('weights.download_failed', `global weights download failed: HTTP ${res.status} ${await res.text()}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    verifyModelWeights(bytes, manifest);
    return { manifest, weights: decodeWeights(bytes), bytes: bytes.byteLength };
  }

  private modelFor(spec: TrainingSpec): LocalModel {
    const key = JSON.stringify(spec);
    if (!this.model || this.modelSpec !== key) {
      this.model?.dispose();
      this.model = new LocalModel(spec);
      this.modelSpec = key;
    }
    return this.model;
  }

  private async serveRound(start: RoundStart): Promise<void> {
    if (this.stopped) return;
    const spec = trainingSpec(start.config.training);
    this.log(`round ${start.round}: global v${start.globalVersion}, ${spec.method}/${spec.arch}-w${spec.width} ${spec.inputSize}², ${spec.localEpochs} local epoch(s) on ${this.o.data.samples} images`);
    const global = await this.fetchGlobal(start);
    const model = this.modelFor(spec);
    model.loadGlobal(global.weights);
    const policy = start.config.policy;
    const result = await model.trainRound({
      source: this.o.data.source(spec),
      samples: this.o.data.samples,
      round: start.round,
      proximalMu: start.config.proximalMu,
      policy,
      ...(this.o.data.modality ? { modality: this.o.data.modality } : {}),
      ...(this.o.onProgress ? { onProgress: (p: TrainProgress) => this.o.onProgress!({ ...p, round: start.round }) } : {}),
    });
    const knn = await this.monitorAccuracy(model, spec);
    const names = new FederatedNames(policy);
    const tensors = start.config.update.kind === 'delta' ? computeDelta(result.weights, names.select(global.weights)) : result.weights;
    const prepared = await prepareUpdate({
      tensors: names.select(tensors),
      kind: start.config.update.kind,
      dtype: start.config.update.dtype,
      siteId: this.siteId,
      round: start.round,
      nonce: start.nonce,
      baseVersion: start.globalVersion,
      samples: result.samples,
      metrics: { loss: result.loss, steps: result.steps, trainSeconds: result.seconds, ...(knn !== undefined ? { knnAccuracy: knn } : {}) },
      backend: this.o.backend,
      siteKey: this.o.identity.siteKey,
      coordinatorEncryptionKey: await importEncryptionPublicKey(this.o.identity.enrolment.coordinator.encryptionKey),
      ...(this.o.chunkSize ? { chunkSize: this.o.chunkSize } : {}),
    });
    const reply = await this.uploadWithRetry(prepared, start);
    const report: SiteRoundReport = {
      round: start.round,
      globalVersion: start.globalVersion,
      samples: result.samples,
      loss: result.loss,
      steps: result.steps,
      trainSeconds: result.seconds,
      ...(knn !== undefined ? { knnAccuracy: knn } : {}),
      bytesReceived: global.bytes,
      bytesSent: prepared.bytes,
      outcome: reply.type === 'update.ack' ? 'accepted' : 'refused',
      ...(reply.type === 'update.ack' ? {} : { reason: `${String(reply.code)}: ${String(reply.message)}` }),
    };
    this.log(
      `round ${start.round}: loss ${result.loss.toFixed(4)}, ${result.steps} steps in ${result.seconds.toFixed(1)} s, ` +
        `update ${(prepared.bytes / 1024).toFixed(0)} KiB ${report.outcome}${report.reason ? ` (${report.reason})` : ''}`,
    );
    this.o.onRound?.(report);
  }

  /** kNN accuracy of the local encoder on the monitor set (loaded once per input size). */
  private async monitorAccuracy(model: LocalModel, spec: TrainingSpec): Promise<number | undefined> {
    if (!this.o.monitorLabels) return undefined;
    if (this.monitor?.size !== spec.inputSize) this.monitor = { size: spec.inputSize, task: await loadKnnTask(this.o.monitorLabels, spec.inputSize) };
    return knnAccuracy(model.method.encoder, this.monitor.task);
  }

  /**
   * begin → the chunks the coordinator lacks → commit, retried across reconnects (and after an
   * `internal` refusal) until the update is acknowledged, refused, or the round's deadline passes.
   */
  private async uploadWithRetry(p: PreparedUpdate, start: RoundStart): Promise<Record<string, unknown>> {
    const deadline = Date.parse(start.deadline);
    let delay = this.o.backoff?.initialMs ?? 500;
    for (;;) {
      if (this.stopped) return { type: 'update.refused', code: 'site.stopped', message: 'the agent was stopped' };
      try {
        const reply = await this.upload(p);
        // An internal error is the coordinator's fault, not the update's (e.g. its store closing
        // during a shutdown): the update is still good, so resume it like an interrupted upload.
        if (reply.type === 'update.refused' && reply.code === 'internal') throw new Error(`the coordinator failed internally: ${String(reply.message)}`);
        return reply;
      } catch (err) {
        if (Date.now() > deadline) return { type: 'update.refused', code: 'round.deadline', message: `could not upload before the deadline: ${(err as Error).message}` };
        this.log(`upload interrupted (${(err as Error).message}); resuming in ${delay} ms`);
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, this.o.backoff?.maxMs ?? 30000);
      }
    }
  }

  private async upload(p: PreparedUpdate): Promise<Record<string, unknown>> {
    const request = async (event: string, message: unknown): Promise<Record<string, unknown>> => {
      const socket = this.socket;
      if (!socket?.connected) throw new Error('not connected');
      return (await socket.timeout(30000).emitWithAck(event, message)) as Record<string, unknown>;
    };
    const ready = await request('update.begin', p.begin);
    if (ready.type !== 'update.ready') return ready;
    const have = new Set(ready.have as number[]);
    for (const chunk of p.chunks) {
      if (have.has(chunk.index)) continue;
      const ack = await request('update.chunk', chunk);
      if (ack.type !== 'chunk.ack') return ack;
    }
    return request('update.commit', p.commit);
  }
}
