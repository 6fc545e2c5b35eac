import { generateDemoData } from '@fedcl/dicom';
import { type CliIO, type Command, numberOption, parseCommandArgs, UsageError } from '../command.js';
import { createProgress } from '../progress.js';

export const DEMO_DEFAULTS = { sites: 3, perSite: 200, seed: 1, size: 256 } as const;

export const demoData: Command = {
  name: 'demo-data',
  summary: 'Write a synthetic multi-site DICOM data set (chest X-ray + brain MR phantoms) with anomaly labels',
  usage: `Usage: fedcl demo-data --out DIR [--sites N] [--per-site N] [--seed S] [--size PX] [--test-fraction F] [--absolute-paths] [--json]

Writes realistic synthetic DICOM for N sites, each with its own scanner profile (non-IID: bit depth,
window, noise, MONOCHROME1/2, rescale, pixel representation, transfer syntax, modality mix,
anomaly prevalence): chest-radiograph-like DX/CR and brain-MR-slice-like images, a minority
with an anomaly (lung nodule / white-matter lesion), several images per patient and study.
Nothing in it is patient data. Same options give byte-identical files. An earlier demo
data set in DIR is replaced; a non-empty DIR holding anything else is refused.

  DIR/site-<k>/P<nnnn>/ST<n>/SE1/IM<n>.dcm
  DIR/labels/train.csv, test.csv        path,label for all sites (patient-level split)
  DIR/labels/site-<k>-train.csv, ...    the same per site
  DIR/labels/anomalies.csv              where each anomaly is (for checking, not for training)
  DIR/manifest.json                     per-site profiles and counts

Label CSV paths are relative to the CSV's folder (DIR/labels) unless --absolute-paths;
label 1 = anomaly, 0 = none. See docs/demo-data.md.

Options:
  --out DIR           output folder (created), required
  --sites N           number of sites, default ${DEMO_DEFAULTS.sites}
  --per-site N        images per site, default ${DEMO_DEFAULTS.perSite}
  --seed S            random seed (integer), default ${DEMO_DEFAULTS.seed}
  --size PX           rows = columns of every image, default ${DEMO_DEFAULTS.size}
  --test-fraction F   fraction of patients held out for test, default 0.25
  --absolute-paths    write absolute paths in the label CSVs
  --json              print the summary as JSON on stdout
`,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values } = parseCommandArgs(
      argv,
      {
        out: { type: 'string' },
        sites: { type: 'string' },
        'per-site': { type: 'string' },
        seed: { type: 'string' },
        size: { type: 'string' },
        'test-fraction': { type: 'string' },
        'absolute-paths': { type: 'boolean' },
        json: { type: 'boolean' },
      },
      false,
    );
    if (typeof values.out !== 'string' || values.out === '') throw new UsageError('--out DIR is required');
    const integer = (name: string, fallback: number, min: number, max: number): number => {
      const n = numberOption(name, values[name] as string | undefined, fallback, min, max);
      if (!Number.isInteger(n)) throw new UsageError(`--${name} must be an integer, got '${String(values[name])}'`);
      return n;
    };
    const sites = integer('sites', DEMO_DEFAULTS.sites, 1, 64);
    const perSite = integer('per-site', DEMO_DEFAULTS.perSite, 1, 100000);
    const seed = integer('seed', DEMO_DEFAULTS.seed, 0, 2 ** 31 - 1);
    const size = integer('size', DEMO_DEFAULTS.size, 32, 2048);
    const testFraction = numberOption('test-fraction', values['test-fraction'] as string | undefined, 0.25, 0.01, 0.99);
    const progress = createProgress(io.stderr, { label: 'demo-data', unit: 'images', tty: io.stderr.isTTY === true, total: sites * perSite });
    const started = Date.now();
    const summary = await generateDemoData({
      out: values.out,
      sites,
      perSite,
      seed,
      size,
      testFraction,
      absolutePaths: values['absolute-paths'] === true,
      onProgress: (done, total) => progress.update(done, total),
    });
    const seconds = (Date.now() - started) / 1000;
    progress.finish(`demo-data: ${sites * perSite} images in ${seconds.toFixed(1)} s`);
    if (values.json) {
      io.stdout.write(`${JSON.stringify(summary)}\n`);
      return 0;
    }
    const lines = summary.sites.map((s) => {
      const mods = Object.entries(s.modalities).map(([m, n]) => `${m} ${n}`).join(', ');
      return `  ${s.id}: ${s.images} images (${mods}), ${s.anomalies} with anomaly, ${s.patients} patients, BitsStored ${s.bitsStored.join('/')}, ${s.photometric.join('/')}, ${Object.keys(s.transferSyntaxes).length} transfer syntaxes`;
    });
    io.stdout.write(
      [
        `Wrote synthetic DICOM to ${summary.out}`,
        ...lines,
        `  train: ${summary.train.images} images (${summary.train.anomalies} anomalies, ${summary.train.patients} patients)`,
        `  test:  ${summary.test.images} images (${summary.test.anomalies} anomalies, ${summary.test.patients} patients)`,
        `  labels: ${summary.labelFiles[0]} and ${summary.labelFiles[1]} (path,label; paths relative to the CSV folder${values['absolute-paths'] ? ', here absolute' : ''})`,
        '',
      ].join('\n'),
    );
    return 0;
  },
};
