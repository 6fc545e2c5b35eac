import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { decodeWeights, type NamedTensors, type UpdateKind, type WeightDtype } from '@fedcl/protocol';
import { startCoordinator, type Coordinator, type ServerOptimizerConfig } from '@fedcl/server';
import { exportEncoder } from '@fedcl/ssl';
import type { SiteRoundReport } from '../site/agent.js';
import { initialWeights, LocalModel } from '../site/localModel.js';
import { trainingSpec } from '../site/trainingSpec.js';

const FEDCL_BIN = fileURLToPath(new URL('../../bin/fedcl.js', import.meta.url));

/** Encoder-only aggregation; BatchNorm statistics stay at the sites (FedBN). */
export const SIMULATION_POLICY = { prefix: 'encoder/', exclude: ['**/bn*/**', '**/moving_mean', '**/moving_variance'] };

export interface SimulateOptions {
  /** `holdout`: a path,label CSV whose images the site keeps out of pretraining (data.holdout). */
  sites: { name: string; dir: string; holdout?: string }[];
  rounds: number;
  /** The round's training record (see site/trainingSpec.ts), e.g. { method: 'simclr', localEpochs: 1 }. */
  training: Record<string, number | string | boolean>;
  /** Output directory: coordinator store, site work dirs, final encoder, report.json. Must be new or empty. */
  out: string;
  dtype?: WeightDtype;
  kind?: UpdateKind;
  /** The coordinator's server optimiser (default FedAvg, server learning rate 1). */
  aggregator?: ServerOptimizerConfig;
  /** Per-round evaluation of the global encoder (e.g. kNN on a labelled set); its numbers go into the report. */
  evaluate?: (weights: NamedTensors, round: number) => Promise<Record<string, number>>;
  log?: (line: string) => void;
  /** Site progress lines (JSON events of `fedcl site run --events json`). */
  onSiteEvent?: (event: Record<string, unknown>) => void;
  /** Called once the coordinator listens (its URL, e.g. to print the console's address). */
  onCoordinator?: (c: Coordinator) => void;
  /** A labelled CSV every site scores its local encoder on after each round (kNN; sent as a metric). */
  monitorLabels?: string;
  /** Extra environment for the site processes (e.g. FEDCL_BACKEND). */
  siteEnv?: Record<string, string>;
  /** Give up when a round takes longer than this (ms); default 30 minutes. */
  roundTimeoutMs?: number;
}

export interface RoundReport {
  round: number;
  globalVersion: number;
  seconds: number;
  sites: { name: string; samples: number; loss: number; knnAccuracy?: number; steps: number; trainSeconds: number; bytesSent: number; bytesReceived: number; outcome: string }[];
  samples: number;
  /** Sample-weighted mean of the sites' final local loss. */
  loss: number;
  bytesSent: number;
  bytesReceived: number;
  eval?: Record<string, number>;
}

export interface SimulationReport {
  federation: string;
  training: Record<string, number | string | boolean>;
  dtype: WeightDtype;
  rounds: RoundReport[];
  finalVersion: number;
  encoderFiles: string[];
  seconds: number;
}

export class SimulationError extends Error {
  override readonly name = 'SimulationError';
}

function spawnSite(o: { name: string; dir: string; holdout?: string; url: string; token: string; out: string; rounds: number; env: Record<string, string>; monitorLabels?: string }): ChildProcess {
  const siteDir = join(o.out, 'sites', o.name);
  // --opt=value: a base64url token may start with '-', which would read as an option.
  const options = { coordinator: o.url, name: o.name, data: resolve(o.dir), token: o.token, identity: join(siteDir, 'identity'), work: join(siteDir, 'work'), events: 'json', rounds: String(o.rounds), ...(o.monitorLabels ? { 'monitor-labels': resolve(o.monitorLabels) } : {}), ...(o.holdout ? { holdout: resolve(o.holdout) } : {}) };
  const args = [FEDCL_BIN, 'site', 'run', ...Object.entries(options).map(([k, v]) => `--${k}=${v}`)];
  return spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...o.env } });
}

/**
 * One machine, real federation: a coordinator in this process and one `fedcl site run`
 * process per site, over loopback sockets with real enrolment, encryption and signatures.
 * Returns (and writes to out/report.json) what each round did; the final global encoder is
 * exported to out/encoder (tfjs + safetensors).
 */
export async function simulate(o: SimulateOptions): Promise<SimulationReport> {
  const log = o.log ?? (() => {});
  if (o.sites.length < 1) throw new SimulationError('give at least one --site NAME=DIR');
  const names = new Set<string>();
  for (const s of o.sites) {
    if (names.has(s.name)) throw new SimulationError(`site name '${s.name}' is given twice`);
    names.add(s.name);
    if (!existsSync(s.dir)) throw new SimulationError(`site '${s.name}': ${s.dir} does not exist`);
  }
  if (!Number.isInteger(o.rounds) || o.rounds < 1) throw new SimulationError(`rounds must be an integer ≥ 1, got ${o.rounds}`);
  const out = resolve(o.out);
  if (existsSync(out) && readdirSync(out).length > 0) throw new SimulationError(`${out} is not empty: give a new --out directory`);
  mkdirSync(out, { recursive: true });
  const spec = trainingSpec(o.training);
  const dtype = o.dtype ?? 'fp16';
  const t0 = performance.now();

  const coordinator = await startCoordinator(
    {
      federation: 'simulation',
      listen: { host: '127.0.0.1', port: 0 },
      store: join(out, 'coordinator'),
      adminToken: randomBytes(24).toString('base64url'),
      model: { policy: SIMULATION_POLICY },
      rounds: { total: o.rounds, minSites: o.sites.length, fraction: 1, quorumFraction: 1, minUpdates: o.sites.length, deadlineSeconds: 3600 },
      update: { kind: o.kind ?? 'delta', dtype },
      ...(o.aggregator ? { aggregator: o.aggregator } : {}),
      training: o.training,
    },
    { initialWeights: initialWeights(spec, SIMULATION_POLICY) },
  );
  o.onCoordinator?.(coordinator);
  log(`coordinator on ${coordinator.url}; ${o.sites.length} sites, ${o.rounds} rounds of ${spec.method}/${spec.arch}-w${spec.width} at ${spec.inputSize}²`);

  const siteReports = new Map<number, SiteRoundReport[]>();
  const children: ChildProcess[] = [];
  let failure: Error | undefined;
  let onFailure: ((e: Error) => void) | undefined;
  const fail = (e: Error) => {
    failure ??= e;
    onFailure?.(e);
  };
  try {
    for (const site of o.sites) {
      const { token } = coordinator.createEnrolmentToken({ name: site.name, ttlSeconds: 3600 });
      // Sites share this machine's cores: split them rather than oversubscribe (FEDCL_THREADS wins).
      const threads = String(Math.max(1, Math.floor(availableParallelism() / o.sites.length)));
      const env = { FEDCL_THREADS: process.env.FEDCL_THREADS ?? threads, ...o.siteEnv };
      const child = spawnSite({ ...site, url: coordinator.url, token, out, rounds: o.rounds, env, ...(o.monitorLabels ? { monitorLabels: o.monitorLabels } : {}) });
      children.push(child);
      const stderrTail: string[] = [];
      createInterface({ input: child.stderr! }).on('line', (line) => {
        stderrTail.push(line);
        if (stderrTail.length > 20) stderrTail.shift();
        log(`[${site.name}] ${line}`);
      });
      createInterface({ input: child.stdout! }).on('line', (line) => {
        let event: Record<string, unknown>;
        try {
          event = JSON.parse(line) as Record<string, unknown>;
        } catch {
          log(`[${site.name}] ${line}`);
          return;
        }
        if (event.type === 'round') {
          const r = event as unknown as SiteRoundReport & { site: string };
          siteReports.set(r.round, [...(siteReports.get(r.round) ?? []), { ...r, site: site.name } as SiteRoundReport]);
        } else if (event.type === 'log') {
          log(`[${site.name}] ${String(event.line)}`);
        }
        o.onSiteEvent?.({ ...event, site: site.name });
      });
      child.on('exit', (code, signal) => {
        if (code !== 0 && !failure) fail(new SimulationError(`site '${site.name}' exited with ${signal ?? `code ${code}`}:\n${stderrTail.join('\n')}`));
      });
    }

    const rounds: RoundReport[] = [];
    let roundStart = performance.now();
    for (let round = 1; round <= o.rounds; round++) {
      await Promise.race([
        coordinator.waitForRound(round, 'published', o.roundTimeoutMs ?? 30 * 60 * 1000),
        new Promise<never>((_, reject) => {
          if (failure) reject(failure);
          onFailure = reject;
        }),
      ]);
      const row = coordinator.store.getRound(round)!;
      const model = coordinator.store.getModel(row.resultVersion!)!;
      // Site reports arrive on stdout a moment after their update is acknowledged.
      for (let i = 0; i < 100 && (siteReports.get(round)?.length ?? 0) < o.sites.length; i++) await new Promise((r) => setTimeout(r, 50));
      const reports = (siteReports.get(round) ?? []) as (SiteRoundReport & { site: string })[];
      const samples = reports.reduce((a, r) => a + r.samples, 0);
      const report: RoundReport = {
        round,
        globalVersion: model.version,
        seconds: (performance.now() - roundStart) / 1000,
        sites: reports.map((r) => ({ name: r.site, samples: r.samples, loss: r.loss, ...(r.knnAccuracy !== undefined ? { knnAccuracy: r.knnAccuracy } : {}), steps: r.steps, trainSeconds: r.trainSeconds, bytesSent: r.bytesSent, bytesReceived: r.bytesReceived, outcome: r.outcome })),
        samples,
        loss: samples > 0 ? reports.reduce((a, r) => a + r.loss * r.samples, 0) / samples : Number.NaN,
        bytesSent: reports.reduce((a, r) => a + r.bytesSent, 0),
        bytesReceived: reports.reduce((a, r) => a + r.bytesReceived, 0),
      };
      if (o.evaluate) report.eval = await o.evaluate(decodeWeights(coordinator.store.blobs.get(model.sha256)), round);
      rounds.push(report);
      const evalText = report.eval ? `, ${Object.entries(report.eval).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}` : '';
      log(`round ${round}/${o.rounds} published as v${model.version}: loss ${report.loss.toFixed(4)}, ${samples} images, ↑${(report.bytesSent / 1024).toFixed(0)} KiB ↓${(report.bytesReceived / 1024).toFixed(0)} KiB, ${report.seconds.toFixed(1)} s${evalText}`);
      roundStart = performance.now();
    }

    const final = coordinator.store.latestModel()!;
    const model = new LocalModel(spec);
    let encoderFiles: string[];
    try {
      model.loadGlobal(decodeWeights(coordinator.store.blobs.get(final.sha256)));
      encoderFiles = await exportEncoder(model.method.encoder, join(out, 'encoder'), {
        metadata: { federation: 'simulation', version: String(final.version), sha256: final.sha256, method: spec.method },
      });
    } finally {
      model.dispose();
    }
    const result: SimulationReport = { federation: 'simulation', training: o.training, dtype, rounds, finalVersion: final.version, encoderFiles, seconds: (performance.now() - t0) / 1000 };
    writeFileSync(join(out, 'report.json'), `${JSON.stringify(result, null, 2)}\n`);
    return result;
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
    await coordinator.close();
  }
}
