import { io, type Socket } from 'socket.io-client';
import {
  createSiteAssertion,
  decodeWeights,
  exportPublicJwk,
  FederatedNames,
  generateSigningKeyPair,
  importEncryptionPublicKey,
  importSigningPublicKey,
  prepareUpdate,
  SITES_NAMESPACE,
  verifyManifest,
  verifyModelWeights,
  type EnrolResponse,
  type KeyPair,
  type ModelManifest,
  type NamedTensors,
  type PreparedUpdate,
  type RoundStart,
  type UpdateKind,
  type WeightDtype,
} from '@fedcl/protocol';

/**
 * A scripted site for coordinator tests: real enrolment over HTTP, real socket.io connection,
 * real JOSE. It does no training: the test decides each update's tensors.
 */
export class FakeSite {
  socket: Socket | undefined;
  readonly rounds: RoundStart[] = [];
  readonly events: { event: string; message: unknown }[] = [];
  private waiters: { event: string; resolve: (m: unknown) => void }[] = [];

  private constructor(
    public baseUrl: string,
    readonly name: string,
    readonly key: KeyPair,
    readonly enrolment: EnrolResponse,
  ) {}

  get token(): string {
    return this.enrolment.accessToken;
  }

  static async enrol(baseUrl: string, name: string, token: string): Promise<FakeSite> {
    const key = await generateSigningKeyPair();
    const res = await fetch(`${baseUrl}/enrol`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, name, publicKey: await exportPublicJwk(key.publicKey) }) });
    const body = await res.json();
    if (res.status !== 200) throw new Error(`enrolment failed: ${res.status} ${JSON.stringify(body)}`);
    return new FakeSite(baseUrl, name, key, body as EnrolResponse);
  }

  /** Connects with `token` (default: the enrolment JWT); resolves on connect, rejects with the connect_error. */
  connect(token: string = this.token): Promise<void> {
    this.socket?.close();
    const socket = io(`${this.baseUrl}${SITES_NAMESPACE}`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    this.socket = socket;
    for (const event of ['round.start', 'round.closed', 'model.published']) {
      socket.on(event, (message: unknown) => {
        if (event === 'round.start') this.rounds.push(message as RoundStart);
        this.events.push({ event, message });
        const hit = this.waiters.filter((w) => w.event === event);
        this.waiters = this.waiters.filter((w) => w.event !== event);
        for (const w of hit) w.resolve(message);
      });
    }
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (err: Error & { data?: unknown }) => reject(err));
    });
  }

  /** The next `event` (or the last one already received if `alreadyOk`). */
  next<T>(event: string, timeoutMs = 10000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: no '${event}' within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ event, resolve: (m) => (clearTimeout(timer), resolve(m as T)) });
    });
  }

  async roundStart(timeoutMs = 10000): Promise<RoundStart> {
    return this.rounds.at(-1) ?? this.next<RoundStart>('round.start', timeoutMs);
  }

  /** round.start of round `n`, whether it already arrived or not. */
  async roundStartFor(n: number, timeoutMs = 10000): Promise<RoundStart> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.rounds.find((r) => r.round === n);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`${this.name}: no round.start for round ${n} within ${timeoutMs} ms`);
      await this.next('round.start', Math.max(1, deadline - Date.now())).catch(() => undefined);
    }
  }

  request<T = Record<string, unknown>>(event: string, message: unknown): Promise<T> {
    return this.socket!.timeout(15000).emitWithAck(event, message) as Promise<T>;
  }

  disconnect(): void {
    this.socket?.close();
    this.socket = undefined;
  }

  /** Downloads and verifies the global model announced by round.start (signed manifest + hash). */
  async globalModel(start: RoundStart): Promise<{ manifest: ModelManifest; weights: NamedTensors }> {
    const manifest = await verifyManifest(start.manifest, await importSigningPublicKey(this.enrolment.coordinator.signingKey), { expectedVersion: start.globalVersion });
    const res = await fetch(`${this.baseUrl}${start.weightsPath}`, { headers: { authorization: `Bearer ${this.token}` } });
    if (res.status !== 200) throw new Error(`weights download: ${res.status} ${await res.text()}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    verifyModelWeights(bytes, manifest);
    return { manifest, weights: decodeWeights(bytes) };
  }

  async prepare(start: RoundStart, tensors: NamedTensors, o: { samples: number; kind?: UpdateKind; dtype?: WeightDtype; chunkSize?: number; nonce?: string; round?: number; metrics?: Record<string, number>; backend?: string } = { samples: 10 }): Promise<PreparedUpdate> {
    return prepareUpdate({
      tensors: new FederatedNames(start.config.policy).select(tensors),
      kind: o.kind ?? 'delta',
      dtype: o.dtype ?? 'fp32',
      siteId: this.enrolment.siteId,
      round: o.round ?? start.round,
      nonce: o.nonce ?? start.nonce,
      baseVersion: start.globalVersion,
      samples: o.samples,
      metrics: o.metrics ?? { loss: 1 },
      ...(o.backend ? { backend: o.backend } : {}),
      siteKey: this.key.privateKey,
      coordinatorEncryptionKey: await importEncryptionPublicKey(this.enrolment.coordinator.encryptionKey),
      ...(o.chunkSize ? { chunkSize: o.chunkSize } : {}),
    });
  }

  /** begin → missing chunks → commit; returns the commit reply (update.ack or update.refused). */
  async upload(p: PreparedUpdate, o: { stopAfterChunks?: number } = {}): Promise<Record<string, unknown>> {
    const ready = await this.request<{ type: string; have?: number[] }>('update.begin', p.begin);
    if (ready.type !== 'update.ready') return ready;
    const have = new Set(ready.have);
    let sent = 0;
    for (const c of p.chunks) {
      if (have.has(c.index)) continue;
      if (o.stopAfterChunks !== undefined && sent >= o.stopAfterChunks) return { type: 'stopped', sent };
      const ack = await this.request<{ type: string }>('update.chunk', c);
      if (ack.type !== 'chunk.ack') return ack;
      sent++;
    }
    return this.request('update.commit', p.commit);
  }

  async refreshToken(): Promise<{ status: number; body: Record<string, unknown> }> {
    const assertion = await createSiteAssertion(this.key.privateKey, { siteId: this.enrolment.siteId, audience: `fedcl:${this.enrolment.coordinator.federation}/token` });
    const res = await fetch(`${this.baseUrl}/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ assertion }) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }
}

/** global + δ·(i+1) on every federated tensor: a distinct, known update per site. */
export function shifted(global: NamedTensors, delta: number): NamedTensors {
  return new Map([...global].map(([n, t]) => [n, { shape: t.shape, data: t.data.map((v, i) => v + delta * (1 + (i % 3))) }]));
}
