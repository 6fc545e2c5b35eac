import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatBackendReport, initBackend } from '@fedcl/ssl';
import { type CliIO, type Command, parseCommandArgs, UsageError } from '../command.js';
import { SiteAgent } from '../../site/agent.js';
import { enrolSite, loadIdentity } from '../../site/identity.js';
import { loadSiteConfig, validateSiteConfig, type SiteConfig } from '../../site/siteConfig.js';
import { openSiteData } from '../../site/siteData.js';

export const siteEnrol: Command = {
  name: 'site enrol',
  summary: 'Enrol this site with a coordinator using a one-time token',
  usage: `Usage: fedcl site enrol --coordinator URL --token TOKEN --name NAME [--identity DIR]

Generates this site's ES256 key pair (the private key never leaves DIR), registers the public
key with the coordinator in exchange for the one-time enrolment token, and stores the
enrolment in DIR (default ./identity, mode 0700).
`,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values } = parseCommandArgs(argv, { coordinator: { type: 'string' }, token: { type: 'string' }, name: { type: 'string' }, identity: { type: 'string' } }, false);
    for (const k of ['coordinator', 'token', 'name'] as const) if (typeof values[k] !== 'string') throw new UsageError(`--${k} is required`);
    const dir = resolve(typeof values.identity === 'string' ? values.identity : './identity');
    const id = await enrolSite({ coordinatorUrl: values.coordinator as string, token: values.token as string, name: values.name as string, dir });
    io.stdout.write(`enrolled as site ${id.enrolment.siteId} of federation '${id.enrolment.coordinator.federation}'; identity in ${dir}\n`);
    return 0;
  },
};

/** Builds a SiteConfig from flags, for `simulate` and quick starts without a YAML file. */
function configFromFlags(values: Record<string, unknown>): SiteConfig {
  const raw: Record<string, unknown> = { coordinator: values.coordinator, name: values.name, data: { dir: values.data } };
  if (typeof values.identity === 'string') raw.identity = values.identity;
  if (typeof values.work === 'string') raw.workDir = values.work;
  if (typeof values.token === 'string') raw.enrolmentToken = values.token;
  if (typeof values['monitor-labels'] === 'string') raw.monitor = { labels: values['monitor-labels'] };
  if (typeof values.holdout === 'string') (raw.data as Record<string, unknown>).holdout = values.holdout;
  return validateSiteConfig(raw, process.cwd(), 'command line');
}

export const siteRun: Command = {
  name: 'site run',
  summary: 'Run the site agent: train when the coordinator asks, send encrypted updates',
  usage: `Usage: fedcl site run --config site.yaml
       fedcl site run --coordinator URL --name NAME --data DIR [--token TOKEN] [--identity DIR] [--work DIR]

Scans the DICOM folder into a private index (hashed ids only), connects to the coordinator,
and for each round verifies the signed global model, trains locally, and uploads the encrypted,
signed encoder update. Enrols first when the identity directory is empty and a token is given.
Only weights, the sample count and aggregate metrics leave the site.

Options:
  --config FILE     site configuration (see configs/site.yaml)
  --events json     one JSON object per line on stdout (progress, rounds) for programs
  --rounds N        exit after serving N rounds (default: run until stopped)
  --monitor-labels CSV  local labelled images (path,label): after each round the site's kNN
                    accuracy on them is sent as an aggregate metric (also monitor.labels in site.yaml)
  --holdout CSV     images listed in this path,label CSV (e.g. the evaluation set) are kept out
                    of pretraining (also data.holdout in site.yaml)
`,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values } = parseCommandArgs(
      argv,
      {
        config: { type: 'string' }, coordinator: { type: 'string' }, name: { type: 'string' }, data: { type: 'string' },
        token: { type: 'string' }, identity: { type: 'string' }, work: { type: 'string' }, events: { type: 'string' }, rounds: { type: 'string' },
        'monitor-labels': { type: 'string' },
        holdout: { type: 'string' },
      },
      false,
    );
    if (typeof values.config !== 'string' && (values.coordinator === undefined || values.name === undefined || values.data === undefined)) {
      throw new UsageError('give --config site.yaml, or --coordinator, --name and --data');
    }
    const config = typeof values.config === 'string' ? loadSiteConfig(values.config) : configFromFlags(values);
    if (values.events !== undefined && values.events !== 'json') throw new UsageError(`--events takes 'json', got '${String(values.events)}'`);
    const json = values.events === 'json';
    const maxRounds = values.rounds === undefined ? Infinity : Number(values.rounds);
    if (!(maxRounds >= 1)) throw new UsageError(`--rounds must be ≥ 1, got '${String(values.rounds)}'`);
    const emit = (event: Record<string, unknown>) => io.stdout.write(`${JSON.stringify(event)}\n`);
    const log = (line: string) => (json ? emit({ type: 'log', site: config.name, line }) : io.stderr.write(`[${config.name}] ${line}\n`));

    const backend = await initBackend(config.backend ? { force: config.backend } : {});
    log(`compute backend: ${formatBackendReport(backend)}`);

    const identity = existsSync(join(config.identity, 'enrolment.json'))
      ? await loadIdentity(config.identity)
      : config.enrolmentToken
        ? await enrolSite({ coordinatorUrl: config.coordinator, token: config.enrolmentToken, name: config.name, dir: config.identity })
        : (() => {
            throw new UsageError(`${config.identity} holds no enrolment: run 'fedcl site enrol' or give an enrolment token`);
          })();

    const data = await openSiteData({
      dir: config.data.dir,
      workDir: config.workDir,
      ...(config.data.modalities ? { modalities: config.data.modalities } : {}),
      ...(config.data.holdout ? { holdout: config.data.holdout } : {}),
    });
    log(`data: ${data.samples} images (${Object.entries(data.index.summary.byModality).map(([m, n]) => `${m} ${n}`).join(', ')}), ${data.index.summary.quarantined} quarantined${config.data.holdout ? `, ${data.heldOut} held out (${config.data.holdout})` : ''}`);
    if (json) emit({ type: 'ready', site: config.name, siteId: identity.enrolment.siteId, samples: data.samples, backend: backend.name, kernels: backend.kernels });

    let served = 0;
    let lastProgress = 0;
    const agent: SiteAgent = new SiteAgent({
      identity,
      identityDir: config.identity,
      data,
      ...(config.monitor ? { monitorLabels: config.monitor.labels } : {}),
      backend: `${backend.name}/${backend.kernels}`,
      log,
      onProgress: (p) => {
        const now = Date.now();
        if (json && now - lastProgress > 1000) {
          lastProgress = now;
          emit({ type: 'progress', site: config.name, round: p.round, epoch: p.epoch, step: p.step, loss: p.loss, imagesPerSecond: p.imagesPerSec, totalSteps: p.totalSteps });
        }
      },
      onRound: (r) => {
        if (json) emit({ type: 'round', site: config.name, ...r });
        if (++served >= maxRounds) agent.stop();
      },
    });
    const stop = () => agent.stop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      await agent.run();
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    return 0;
  },
};
