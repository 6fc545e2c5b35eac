import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type DatasetIndex, type ScanStats, readIndex, readOrCreateSalt, readSalt, scanDataset, writeIndex } from '@fedcl/dicom';
import { type CliIO, type Command, parseCommandArgs, UsageError } from '../command.js';
import { createProgress } from '../progress.js';

const counts = (m: Record<string, number>) =>
  Object.entries(m)
    .sort(([, a], [, b]) => b - a)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

/** The human summary of a scan. */
export function scanSummary(index: DatasetIndex, stats: ScanStats, out: string, salt: { path: string; created: boolean }): string {
  const s = index.summary;
  const lines = [
    `Scanned ${index.root}: ${stats.found} files (${stats.read} read, ${stats.reused} unchanged since the last scan, ${stats.removed} gone)`,
    `Indexed: ${s.files} files, ${s.frames} frames, ${s.series} series, ${s.studies} studies, ${s.patients} patients${s.files ? ` (${counts(s.byModality)})` : ''}`,
  ];
  if (index.modalities) lines.push(`Skipped: ${s.skipped} files of other modalities than ${index.modalities.join(', ')}`);
  lines.push(`Quarantined: ${s.quarantined}${s.quarantined ? ` (${counts(s.quarantinedByCode)}); reasons per file under "quarantine" in the index` : ''}`);
  lines.push(`Index: ${out}`);
  lines.push(`Salt: ${salt.path}${salt.created ? ' (new: keep it with the index; another salt gives other ids)' : ''}`);
  if (s.pathsWithIdentifiers > 0) {
    lines.push(
      `Warning: ${s.pathsWithIdentifiers} file path(s) contain the file's own patient ID or UID. The index stores paths, so it is as private as the files: keep it on site.`,
    );
  }
  return `${lines.join('\n')}\n`;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

export const dicomScan: Command = {
  name: 'dicom scan',
  summary: 'Index a folder of DICOM files (salted ids, modality filter, incremental)',
  usage: `Usage: fedcl dicom scan DIR --out INDEX.json [--modality CR,DX,MR,CT] [--salt-file FILE] [--full] [--json]

Reads the header of every file under DIR and writes the dataset index (docs/datasets.md):
files grouped by patient, study and series under salted HMAC-SHA256 ids. No patient name,
patient ID, date or UID is written. Files that cannot be read are listed under "quarantine"
with the reason; the scan never stops on a bad file.

If INDEX.json exists, the scan is incremental: files whose size and modification time are
unchanged are not read again, new files are added and deleted ones dropped.

Options:
  --out FILE        where to write the index (required)
  --modality LIST   keep only these modalities, comma-separated (others are listed as skipped)
  --salt-file FILE  the site's salt (hex); default INDEX.json.salt, created on first use
  --full            ignore an existing index and read every file again
  --json            print the summary as JSON
`,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(argv, {
      out: { type: 'string' },
      modality: { type: 'string' },
      'salt-file': { type: 'string' },
      full: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if (positionals.length !== 1) throw new UsageError(`expected one DIR, got ${positionals.length}`);
    if (typeof values.out !== 'string') throw new UsageError('--out INDEX.json is required');
    const out = resolve(values.out);
    const modalities = typeof values.modality === 'string' ? values.modality.split(',').map((m) => m.trim()).filter(Boolean) : undefined;
    // Modality is a Code String: up to 16 of A–Z, 0–9 and underscore (CR, MR, RTDOSE, IVOCT …).
    if (modalities && modalities.some((m) => !/^[A-Za-z0-9_]{1,16}$/.test(m))) {
      throw new UsageError(`--modality takes DICOM modality codes like CR,DX,MR,CT; got '${values.modality}'`);
    }
    const saltPath = resolve(typeof values['salt-file'] === 'string' ? values['salt-file'] : `${out}.salt`);
    const salt = typeof values['salt-file'] === 'string' ? { salt: await readSalt(saltPath), created: false } : await readOrCreateSalt(saltPath);

    let previous: DatasetIndex | undefined;
    if (!values.full && (await exists(out))) {
      try {
        previous = await readIndex(out);
      } catch (err) {
        io.stderr.write(`fedcl dicom scan: ignoring the existing ${out} (${(err as Error).message}); reading every file\n`);
      }
    }
    const tty = io.stderr.isTTY === true;
    const listing = createProgress(io.stderr, { label: 'listing', unit: 'files', tty });
    let progress: ReturnType<typeof createProgress> | undefined;
    const { index, stats } = await scanDataset(positionals[0]!, {
      salt: salt.salt,
      previous,
      modalities,
      exclude: [out, saltPath],
      onListing: (found) => listing.update(found),
      onProgress: (p) => {
        if (!progress) {
          listing.finish();
          progress = createProgress(io.stderr, { label: 'scan', unit: 'files', tty, total: p.total });
        }
        progress.update(p.done, p.total);
      },
    });
    progress?.finish();
    await writeIndex(out, index);
    io.stdout.write(
      values.json
        ? `${JSON.stringify({ index: out, salt: saltPath, saltCreated: salt.created, stats, summary: index.summary }, null, 2)}\n`
        : scanSummary(index, stats, out, { path: saltPath, created: salt.created }),
    );
    return 0;
  },
};
