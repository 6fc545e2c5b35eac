/**
 * Test support: independent reference decoders run at test time. A compressed file is converted
 * to explicit VR little endian by DCMTK (dcmdjpeg, dcmdjpls, dcmdrle) or GDCM (gdcmconv --raw),
 * then the native pixel data is read with pydicom (Debian's /usr/bin/python3) into float64.
 * A missing tool fails the test with the command that installs it (scripts/test-deps.sh).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PYTHON = '/usr/bin/python3';
const INSTALL: Record<string, string> = {
  dcmdjpeg: 'dcmtk',
  dcmdjpls: 'dcmtk',
  dcmdrle: 'dcmtk',
  gdcmconv: 'libgdcm-tools',
  opj_decompress: 'libopenjp2-tools',
  [PYTHON]: 'python3-pydicom python3-numpy',
};

export function requireTool(tool: string): void {
  const found = spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
  if (!found) {
    throw new Error(`reference tool ${tool} is missing: run \`bash scripts/test-deps.sh\` (or apt-get install ${INSTALL[tool] ?? tool})`);
  }
  if (tool === PYTHON && spawnSync(PYTHON, ['-c', 'import pydicom, numpy']).status !== 0) {
    throw new Error(`pydicom/numpy missing for ${PYTHON}: apt-get install python3-pydicom python3-numpy`);
  }
}

export type NumericArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float64Array;

export interface ReferencePixels {
  frames: number;
  rows: number;
  columns: number;
  samples: number;
  photometric: string;
  /** frames × rows × columns × samples stored values, interleaved. */
  values: NumericArray;
}

const DTYPES: Record<string, new (buffer: ArrayBuffer) => NumericArray> = {
  uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array, uint32: Uint32Array, int32: Int32Array, float64: Float64Array,
};

// One Python process for many files: importing numpy + pydicom costs about a second.
const DUMP = `
import sys, json, numpy as np, pydicom
out = []
for src, dst in zip(sys.argv[1::2], sys.argv[2::2]):
    ds = pydicom.dcmread(src)
    n = int(getattr(ds, 'NumberOfFrames', 1) or 1)
    spp = int(ds.SamplesPerPixel)
    arr = np.asarray(ds.pixel_array).reshape(n, ds.Rows, ds.Columns, spp)
    arr.astype(arr.dtype.newbyteorder('<')).tofile(dst)
    out.append({'frames': n, 'rows': int(ds.Rows), 'columns': int(ds.Columns), 'samples': spp,
                'photometric': str(ds.PhotometricInterpretation), 'dtype': arr.dtype.name})
print(json.dumps(out))
`;

/** Native pixel values of each file (any uncompressed syntax) as read by pydicom, in one process. */
export function pydicomPixelsMany(paths: string[]): ReferencePixels[] {
  requireTool(PYTHON);
  const dir = mkdtempSync(join(tmpdir(), 'fedcl-ref-'));
  try {
    const outs = paths.map((_, i) => join(dir, `pixels${i}.raw`));
    const args = paths.flatMap((p, i) => [p, outs[i]!]);
    const metas = JSON.parse(execFileSync(PYTHON, ['-c', DUMP, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 })) as (Omit<ReferencePixels, 'values'> & { dtype: string })[];
    return metas.map(({ dtype, ...meta }, i) => {
      const Typed = DTYPES[dtype];
      if (!Typed) throw new Error(`pydicom returned pixel dtype ${dtype}, which the test reader does not handle`);
      const bytes = readFileSync(outs[i]!);
      // Copy into a fresh buffer: Node's file buffers may not be aligned for 2- and 4-byte views.
      return { ...meta, values: new Typed(new Uint8Array(bytes).buffer) };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function pydicomPixels(path: string): ReferencePixels {
  return pydicomPixelsMany([path])[0]!;
}

export type ReferenceTool = 'dcmdjpeg' | 'dcmdjpls' | 'dcmdrle' | 'gdcmconv';

/** Runs `tool` to write `path` decompressed (explicit VR little endian) to `out`. */
export function decompressWith(tool: ReferenceTool, path: string, out: string, extraArgs: string[] = []): void {
  requireTool(tool);
  const args = tool === 'gdcmconv' ? ['--raw', ...extraArgs, path, out] : [...extraArgs, path, out];
  execFileSync(tool, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * Decompresses each file with its tool (dcmdjpeg | dcmdjpls | dcmdrle | gdcmconv) to explicit
 * little endian and returns the pixel values pydicom reads from the results, keyed by path.
 */
export function referencePixelsMany(items: { path: string; tool: ReferenceTool; args?: string[] }[]): Map<string, ReferencePixels> {
  const dir = mkdtempSync(join(tmpdir(), 'fedcl-ref-'));
  try {
    const outs = items.map((item, i) => {
      const out = join(dir, `native${i}.dcm`);
      decompressWith(item.tool, item.path, out, item.args);
      return out;
    });
    const refs = pydicomPixelsMany(outs);
    return new Map(items.map((item, i) => [item.path, refs[i]!]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function referencePixels(path: string, tool: ReferenceTool, extraArgs: string[] = []): ReferencePixels {
  return referencePixelsMany([{ path, tool, args: extraArgs }]).get(path)!;
}

/** Runs opj_decompress on a raw J2K/HTJ2K codestream and returns its samples (PGX per component). */
export function opjDecompress(codestream: Uint8Array, components: number): { values: Float64Array; signed: boolean; precision: number } {
  requireTool('opj_decompress');
  const dir = mkdtempSync(join(tmpdir(), 'fedcl-opj-'));
  try {
    const input = join(dir, 'in.j2k');
    execFileSync('sh', ['-c', 'cat > "$1"', 'sh', input], { input: codestream });
    execFileSync('opj_decompress', ['-i', input, '-o', join(dir, 'out.pgx')], { stdio: 'ignore' });
    // opj_decompress 2.5 writes out_<component>.pgx; older versions wrote out.pgx for one component.
    const pgx = (c: number) => (components === 1 && existsSync(join(dir, 'out.pgx')) ? join(dir, 'out.pgx') : join(dir, `out_${c}.pgx`));
    const planes = Array.from({ length: components }, (_, c) => readPgx(pgx(c)));
    const n = planes[0]!.values.length;
    const values = new Float64Array(n * components);
    planes.forEach((p, c) => p.values.forEach((v, i) => (values[i * components + c] = v)));
    return { values, signed: planes[0]!.signed, precision: planes[0]!.precision };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** PGX: "PG ML|LM +|- depth width height\\n" then big- or little-endian samples. */
function readPgx(path: string): { values: Float64Array; signed: boolean; precision: number } {
  const bytes = readFileSync(path);
  const eol = bytes.indexOf(10);
  const header = bytes.subarray(0, eol).toString('latin1');
  const m = /^PG\s+(ML|LM)\s*([+-]?)\s*(\d+)\s+(\d+)\s+(\d+)/.exec(header);
  if (!m) throw new Error(`opj_decompress wrote an unexpected PGX header: ${header}`);
  const [, order, sign, depth, width, height] = m;
  const signed = sign === '-';
  const precision = Number(depth);
  const n = Number(width) * Number(height);
  const bytesPer = precision <= 8 ? 1 : precision <= 16 ? 2 : 4;
  const view = new DataView(bytes.buffer, bytes.byteOffset + eol + 1, n * bytesPer);
  const little = order === 'LM';
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    values[i] =
      bytesPer === 1 ? (signed ? view.getInt8(i) : view.getUint8(i))
      : bytesPer === 2 ? (signed ? view.getInt16(2 * i, little) : view.getUint16(2 * i, little))
      : signed ? view.getInt32(4 * i, little) : view.getUint32(4 * i, little);
  }
  return { values, signed, precision };
}
