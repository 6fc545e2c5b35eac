/**
 * IDX (the MNIST / Fashion-MNIST file format) → DICOM: a real image data set as a set of
 * hospital sites with their own "scanner" storage conventions and a non-IID (Dirichlet
 * label-skew) split, plus `path,label` CSVs that `fedcl finetune` reads.
 *
 * IDX (LeCun et al., http://yann.lecun.com/exdb/mnist/): big-endian magic `00 00 TT NN`
 * (TT = element type, 0x08 = unsigned byte; NN = number of dimensions), NN big-endian uint32
 * dimension sizes, then the elements in row-major order. Files may be gzipped.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Rng } from '../synth/prng.js';
import { dataSet, type ElementList } from '../write/element.js';
import { WRITABLE_TRANSFER_SYNTAXES as TS } from '../write/transferSyntax.js';
import { uidFromName } from '../write/uid.js';
import { writeDicom } from '../write/writeDicom.js';

export class IdxError extends Error {
  override readonly name = 'IdxError';
}

/** An IDX array of unsigned bytes: its dimensions and its elements, row-major. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Parses an IDX buffer of unsigned bytes (type 0x08); gunzips it first when it starts with the gzip magic. */
export function parseIdx(input: Uint8Array): IdxArray {
  const buf = input.length >= 2 && input[0] === 0x1f && input[1] === 0x8b ? new Uint8Array(gunzipSync(input)) : input;
  if (buf.length < 4) throw new IdxError(`not an IDX file: ${buf.length} bytes, shorter than the 4-byte magic`);
  if (buf[0] !== 0 || buf[1] !== 0) throw new IdxError(`not an IDX file: the magic must start with two zero bytes, got ${buf[0]}, ${buf[1]}`);
  if (buf[2] !== 0x08) throw new IdxError(`IDX element type 0x${buf[2]!.toString(16)} is not supported (only 0x08, unsigned byte)`);
  const nd = buf[3]!;
  if (nd < 1) throw new IdxError('IDX file with zero dimensions');
  const header = 4 + 4 * nd;
  if (buf.length < header) throw new IdxError(`IDX header truncated: ${nd} dimensions need ${header} bytes, file has ${buf.length}`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims = Array.from({ length: nd }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  if (buf.length !== header + count) {
    throw new IdxError(`IDX size mismatch: dimensions ${dims.join('×')} need ${header + count} bytes, file has ${buf.length}`);
  }
  return { dims, data: buf.subarray(header, header + count) };
}

/** Reads and parses an IDX file (gzipped or not). */
export function readIdxFile(path: string): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new IdxError(`cannot read ${path}${code === 'ENOENT' ? ': no such file' : `: ${(err as Error).message}`}`);
  }
  try {
    return parseIdx(bytes);
  } catch (err) {
    throw new IdxError(`${path}: ${(err as Error).message}`);
  }
}

/** Where Debian's `dataset-fashion-mnist` package puts Fashion-MNIST. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
/** The Fashion-MNIST class names, by label (Xiao, Rasul & Vollgraf 2017). */
export const FASHION_MNIST_CLASSES = ['t-shirt/top', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot'] as const;

/** The four Fashion-MNIST files, or an error that says how to install them. */
export function fashionMnistFiles(dir = FASHION_MNIST_DIR): { trainImages: string; trainLabels: string; testImages: string; testLabels: string } {
  const f = {
    trainImages: join(dir, 'train-images-idx3-ubyte.gz'),
    trainLabels: join(dir, 'train-labels-idx1-ubyte.gz'),
    testImages: join(dir, 't10k-images-idx3-ubyte.gz'),
    testLabels: join(dir, 't10k-labels-idx1-ubyte.gz'),
  };
  if (!Object.values(f).every((p) => existsSync(p))) {
    throw new IdxError(`Fashion-MNIST is not installed in ${dir}: run \`sudo apt-get install dataset-fashion-mnist\` (or \`sudo bash scripts/test-deps.sh\`)`);
  }
  return f;
}

/** Images [n, rows, cols] and their labels [n] from a pair of IDX files. */
export function readIdxImages(images: string, labels: string): { n: number; rows: number; cols: number; pixels: Uint8Array; labels: Uint8Array } {
  const im = readIdxFile(images);
  const lb = readIdxFile(labels);
  if (im.dims.length !== 3) throw new IdxError(`${images}: expected 3 dimensions (images × rows × columns), got ${im.dims.join('×')}`);
  if (lb.dims.length !== 1) throw new IdxError(`${labels}: expected 1 dimension (labels), got ${lb.dims.join('×')}`);
  if (lb.dims[0] !== im.dims[0]) throw new IdxError(`${images} holds ${im.dims[0]} images but ${labels} ${lb.dims[0]} labels`);
  return { n: im.dims[0]!, rows: im.dims[1]!, cols: im.dims[2]!, pixels: im.data, labels: lb.data };
}

// ---------------------------------------------------------------------------------------------
// Non-IID split

/** Gamma(shape, 1) variate (Marsaglia & Tsang 2000; shape < 1 by Gamma(shape + 1)·U^(1/shape)). */
function gamma(rng: Rng, shape: number): number {
  if (shape < 1) return gamma(rng, shape + 1) * Math.pow(rng.float() || Number.MIN_VALUE, 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.float();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** A Dirichlet(α, …, α) draw of `k` proportions. */
export function dirichlet(rng: Rng, k: number, alpha: number): number[] {
  const g = Array.from({ length: k }, () => gamma(rng, alpha));
  const s = g.reduce((a, b) => a + b, 0);
  return s > 0 ? g.map((x) => x / s) : g.map((_, i) => (i === 0 ? 1 : 0));
}

/**
 * Dirichlet label-skew partition (Hsu, Qi & Brown 2019, arXiv:1909.06335): for each class,
 * proportions p ~ Dir(α·1) over the sites, and the class's images (seeded shuffle) are cut
 * into consecutive runs of those sizes. Small α → each class concentrated on few sites;
 * α → ∞ → IID. Returns each site's indices into `labels`, ascending; every index appears
 * exactly once. Deterministic for (labels, sites, alpha, seed).
 */
export function dirichletSplit(labels: ArrayLike<number>, sites: number, alpha: number, seed: number): number[][] {
  if (!Number.isInteger(sites) || sites < 1) throw new RangeError(`sites must be an integer ≥ 1, got ${sites}`);
  if (!(alpha > 0)) throw new RangeError(`alpha must be > 0, got ${alpha}`);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) byClass.set(labels[i]!, [...(byClass.get(labels[i]!) ?? []), i]);
  const out: number[][] = Array.from({ length: sites }, () => []);
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const idx = byClass.get(c)!;
    const rng = Rng.for(seed, 'dirichlet-split', c);
    for (let i = idx.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    const p = Number.isFinite(alpha) ? dirichlet(rng, sites, alpha) : Array.from({ length: sites }, () => 1 / sites);
    let start = 0;
    let cum = 0;
    for (let s = 0; s < sites; s++) {
      cum += p[s]!;
      const end = s === sites - 1 ? idx.length : Math.round(cum * idx.length);
      out[s]!.push(...idx.slice(start, end));
      start = end;
    }
  }
  return out.map((xs) => xs.sort((a, b) => a - b));
}

/** IID split: a seeded shuffle dealt round-robin over the sites (indices ascending per site). */
export function iidSplit(n: number, sites: number, seed: number): number[][] {
  const idx = Array.from({ length: n }, (_, i) => i);
  const rng = Rng.for(seed, 'iid-split');
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  const out: number[][] = Array.from({ length: sites }, () => []);
  idx.forEach((v, k) => out[k % sites]!.push(v));
  return out.map((xs) => xs.sort((a, b) => a - b));
}

/** Total variation distance between each site's class proportions and the pooled ones: ½ Σ_c |p_site(c) − p_pool(c)|. */
export function labelSkew(labels: ArrayLike<number>, split: readonly (readonly number[])[]): number[] {
  const classes = [...new Set(Array.from(labels))];
  const pooled = new Map(classes.map((c) => [c, 0]));
  let total = 0;
  for (const s of split) for (const i of s) { pooled.set(labels[i]!, pooled.get(labels[i]!)! + 1); total++; }
  return split.map((s) => {
    const m = new Map(classes.map((c) => [c, 0]));
    for (const i of s) m.set(labels[i]!, m.get(labels[i]!)! + 1);
    return s.length === 0 ? 1 : classes.reduce((a, c) => a + Math.abs(m.get(c)! / s.length - pooled.get(c)! / total), 0) / 2;
  });
}

// ---------------------------------------------------------------------------------------------
// Scanner profiles

/**
 * How one site stores a grey 8-bit image (0 = black … 255 = white), on the lines of
 * synth/siteProfiles.ts: stored = round(offset + gain · v + noise), v = 255 − p for MONOCHROME1
 * (white stored low), else p; clamped to [0, 2^bitsStored − 1]. The Modality LUT
 * (rescale) maps stored values back to the original grey scale: slope = 1/gain, intercept =
 * −offset/gain (MONOCHROME1: the rescaled value is 255 − p, displayed inverted).
 */
export interface IdxScannerProfile {
  name: string;
  bitsStored: 8 | 12 | 16;
  photometric: 'MONOCHROME1' | 'MONOCHROME2';
  gain: number;
  offset: number;
  /** Gaussian read noise, standard deviation in stored units (0 = none). */
  noise: number;
  transferSyntaxUID: string;
  manufacturer: string;
  institution: string;
}

/**
 * Three deliberately different sites: 8-bit MONOCHROME2 as is (explicit VR LE); 12-bit
 * MONOCHROME2 ×15 + 64 with read noise, RLE; 16-bit MONOCHROME1 ×200 + 1000 with more read
 * noise, deflated. Sites beyond three cycle through these.
 */
export const IDX_SCANNER_PROFILES: readonly IdxScannerProfile[] = [
  { name: 'sc8', bitsStored: 8, photometric: 'MONOCHROME2', gain: 1, offset: 0, noise: 0, transferSyntaxUID: TS.explicitVrLittleEndian, manufacturer: 'FEDCL IDX IMPORT A', institution: 'FEDCL REALDATA SITE A' },
  { name: 'm2-12bit-noisy', bitsStored: 12, photometric: 'MONOCHROME2', gain: 15, offset: 64, noise: 24, transferSyntaxUID: TS.rleLossless, manufacturer: 'FEDCL IDX IMPORT B', institution: 'FEDCL REALDATA SITE B' },
  { name: 'm1-16bit-noisy', bitsStored: 16, photometric: 'MONOCHROME1', gain: 200, offset: 1000, noise: 600, transferSyntaxUID: TS.deflatedExplicitVrLittleEndian, manufacturer: 'FEDCL IDX IMPORT C', institution: 'FEDCL REALDATA SITE C' },
];

/** Stored samples of one 8-bit grey image under a profile (Uint8Array for 8 bits, else Uint16Array). */
export function storedSamples(pixels: Uint8Array, profile: IdxScannerProfile, rng?: Rng): Uint8Array | Uint16Array {
  const max = 2 ** profile.bitsStored - 1;
  if (profile.offset < 0 || profile.offset + 255 * profile.gain > max) {
    throw new IdxError(`scanner profile ${profile.name}: ${profile.offset} + ${profile.gain} × 255 does not fit ${profile.bitsStored} bits`);
  }
  const out = profile.bitsStored === 8 ? new Uint8Array(pixels.length) : new Uint16Array(pixels.length);
  const inv = profile.photometric === 'MONOCHROME1';
  for (let i = 0; i < pixels.length; i++) {
    const v = inv ? 255 - pixels[i]! : pixels[i]!;
    const noise = profile.noise > 0 && rng ? profile.noise * rng.normal() : 0;
    out[i] = Math.min(max, Math.max(0, Math.round(profile.offset + profile.gain * v + noise)));
  }
  return out;
}

/** The Secondary Capture data set of one converted image. */
function idxDataSet(o: { prefix: string; index: number; rows: number; cols: number; profile: IdxScannerProfile; stored: Uint8Array | Uint16Array; site: string; seed: number }): ElementList {
  const p = o.profile;
  const key = `fedcl idx ${o.seed} ${o.prefix} ${o.index}`;
  const num = String(o.index).padStart(6, '0');
  const slope = 1 / p.gain;
  const intercept = -p.offset / p.gain;
  return dataSet({
    SpecificCharacterSet: 'ISO_IR 100',
    ImageType: ['DERIVED', 'SECONDARY'],
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.7', // Secondary Capture Image Storage
    SOPInstanceUID: uidFromName(`${key} instance`),
    StudyDate: '20260101',
    StudyTime: '120000',
    AccessionNumber: `IDX${num}`,
    Modality: 'OT',
    Manufacturer: p.manufacturer,
    InstitutionName: p.institution,
    ReferringPhysicianName: null,
    StudyDescription: `${o.prefix.toUpperCase()} IMAGE CONVERTED FROM IDX`,
    SeriesDescription: p.name,
    PatientName: `IDX^${o.prefix.toUpperCase()}${num}`,
    PatientID: `IDX-${o.prefix.toUpperCase()}-${num}`,
    PatientBirthDate: null,
    PatientSex: null,
    StudyInstanceUID: uidFromName(`${key} study`),
    SeriesInstanceUID: uidFromName(`${key} series`),
    StudyID: num,
    SeriesNumber: 1,
    InstanceNumber: 1,
    PatientOrientation: null,
    ImageComments: 'NOT A MEDICAL IMAGE - converted from an IDX file (e.g. Fashion-MNIST) by fedcl',
    SamplesPerPixel: 1,
    PhotometricInterpretation: p.photometric,
    Rows: o.rows,
    Columns: o.cols,
    BitsAllocated: p.bitsStored === 8 ? 8 : 16,
    BitsStored: p.bitsStored,
    HighBit: p.bitsStored - 1,
    PixelRepresentation: 0,
    RescaleIntercept: p.gain === 1 && p.offset === 0 ? undefined : intercept,
    RescaleSlope: p.gain === 1 && p.offset === 0 ? undefined : slope,
    RescaleType: p.gain === 1 && p.offset === 0 ? undefined : 'US',
    LossyImageCompression: '00',
    PixelData: o.stored,
  });
}

export interface IdxImportOptions {
  /** IDX image file [n, rows, cols] of unsigned bytes (gzipped or not). */
  images: string;
  /** IDX label file [n]. */
  labels: string;
  out: string;
  /** Which images of the file to convert (indices); default all. */
  indices?: readonly number[];
  /** Number of sites (folders `site-1` … under `out`); default 3. */
  sites?: number;
  /** 'dirichlet' (label skew, default) or 'iid'. */
  split?: 'dirichlet' | 'iid';
  /** Dirichlet concentration; default 0.5. */
  alpha?: number;
  seed?: number;
  /** The class (IDX label) that is the "anomaly": label 1 in the CSV, every other class 0. */
  anomalyClass: number;
  /** Names of the IDX labels, for the CSV's `class` column; default the label numbers. */
  classNames?: readonly string[];
  /** Prefix of file names and fake patient IDs, e.g. 'train' or 'test'; default 'img'. */
  prefix?: string;
  /** Site profiles, site k uses profiles[(k − 1) % length]; default IDX_SCANNER_PROFILES. */
  profiles?: readonly IdxScannerProfile[];
  onProgress?: (done: number, total: number) => void;
}

export interface IdxImportSummary {
  out: string;
  /** `path,label,class,site,index` CSV (label 1 = anomaly class), paths relative to `out`. */
  labelsCsv: string;
  sites: { id: string; dir: string; profile: string; count: number; perClass: Record<string, number> }[];
  /** Per-site total variation distance of the class proportions from the pooled ones. */
  labelSkew: number[];
  count: number;
}

/**
 * Converts IDX images into DICOM Secondary Capture files under `out/site-k/`, one fake patient
 * and study per image, each site storing its images per its scanner profile, split over the
 * sites (Dirichlet label skew by default). Writes `out/labels.csv`: `path,label,class,site,index`
 * where label = 1 for the anomaly class and 0 otherwise (the extra columns are ignored by
 * `fedcl finetune`).
 */
export function importIdx(o: IdxImportOptions): IdxImportSummary {
  const src = readIdxImages(o.images, o.labels);
  const indices = o.indices ?? Array.from({ length: src.n }, (_, i) => i);
  for (const i of indices) if (!Number.isInteger(i) || i < 0 || i >= src.n) throw new IdxError(`image index ${i} is outside 0…${src.n - 1}`);
  const sites = o.sites ?? 3;
  const seed = o.seed ?? 1;
  const prefix = o.prefix ?? 'img';
  const profiles = o.profiles ?? IDX_SCANNER_PROFILES;
  const name = (c: number) => o.classNames?.[c] ?? String(c);
  const subLabels = indices.map((i) => src.labels[i]!);
  const split = o.split === 'iid' ? iidSplit(indices.length, sites, seed) : dirichletSplit(subLabels, sites, o.alpha ?? 0.5, seed);
  const px = src.rows * src.cols;
  const rowsOut = ['path,label,class,site,index'];
  const summary: IdxImportSummary = { out: o.out, labelsCsv: join(o.out, 'labels.csv'), sites: [], labelSkew: labelSkew(subLabels, split), count: indices.length };
  let done = 0;
  split.forEach((members, s) => {
    const id = `site-${s + 1}`;
    const profile = profiles[s % profiles.length]!;
    const dir = join(o.out, id);
    mkdirSync(dir, { recursive: true });
    const perClass: Record<string, number> = {};
    for (const k of members) {
      const index = indices[k]!;
      const label = src.labels[index]!;
      const pixels = src.pixels.subarray(index * px, (index + 1) * px);
      const stored = storedSamples(pixels, profile, Rng.for(seed, prefix, index, 'noise'));
      const bytes = writeDicom(idxDataSet({ prefix, index, rows: src.rows, cols: src.cols, profile, stored, site: id, seed }), { transferSyntaxUID: profile.transferSyntaxUID });
      const file = join(dir, `${prefix}-${String(index).padStart(6, '0')}.dcm`);
      writeFileSync(file, bytes);
      rowsOut.push(`${relative(o.out, file)},${label === o.anomalyClass ? 1 : 0},${name(label)},${id},${index}`);
      perClass[name(label)] = (perClass[name(label)] ?? 0) + 1;
      o.onProgress?.(++done, indices.length);
    }
    summary.sites.push({ id, dir, profile: profile.name, count: members.length, perClass });
  });
  writeFileSync(summary.labelsCsv, `${rowsOut.join('\n')}\n`);
  return summary;
}
