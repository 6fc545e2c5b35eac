import { type DicomInfo, readDicomFile } from '@fedcl/dicom';
import { type CliIO, type Command, parseCommandArgs, UsageError } from '../command.js';

/** Identifiers stay out of the output: they are for the dataset index, which hashes them. */
const PRIVATE: readonly (keyof DicomInfo)[] = ['patientId', 'studyInstanceUID', 'seriesInstanceUID', 'sopInstanceUID', 'seriesDescription'];

/** DicomInfo without identifiers, for printing. */
export function publicInfo(info: DicomInfo): Partial<DicomInfo> {
  const out: Partial<DicomInfo> = { ...info };
  for (const k of PRIVATE) delete out[k];
  return out;
}

const list = (v: number[]) => (v.length ? v.join('\\') : '—');

/** Two-column table of the attributes that decide how pixels are read. */
export function infoTable(info: DicomInfo): string {
  const rows: [string, string][] = [
    ['File', info.file ?? '—'],
    ['Transfer syntax', `${info.transferSyntaxName} (${info.transferSyntaxUID})`],
    ['Modality', info.modality ?? '—'],
    ['Rows', String(info.rows)],
    ['Columns', String(info.columns)],
    ['Frames', String(info.numberOfFrames)],
    ['Samples per pixel', String(info.samplesPerPixel)],
    ['Photometric', info.photometricInterpretation + (info.samplesPerPixel > 1 ? `, planar configuration ${info.planarConfiguration}` : '')],
    ['Bits', `allocated ${info.bitsAllocated}, stored ${info.bitsStored}, high bit ${info.highBit}`],
    ['Pixel representation', info.pixelRepresentation === 1 ? '1 (signed)' : '0 (unsigned)'],
    ['Rescale', `slope ${info.rescaleSlope}, intercept ${info.rescaleIntercept}${info.rescaleType ? `, type ${info.rescaleType}` : ''}`],
    ['Window', `centre ${list(info.windowCenter)}, width ${list(info.windowWidth)}${info.voiLutFunction ? `, ${info.voiLutFunction}` : ''}`],
  ];
  if (info.pixelPaddingValue !== undefined) {
    rows.push(['Pixel padding', `${info.pixelPaddingValue}${info.pixelPaddingRangeLimit !== undefined ? ` to ${info.pixelPaddingRangeLimit}` : ''}`]);
  }
  if (info.presentationLutShape) rows.push(['Presentation LUT', info.presentationLutShape]);
  if (info.bodyPartExamined) rows.push(['Body part', info.bodyPartExamined]);
  if (info.viewPosition) rows.push(['View position', info.viewPosition]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n';
}

export const dicomInfo: Command = {
  name: 'dicom info',
  summary: 'Show how a DICOM file stores its pixels (syntax, size, bits, rescale, window)',
  usage: `Usage: fedcl dicom info FILE [--json]

Reads the header of FILE (pixel data is not decoded) and prints transfer syntax, modality,
rows, columns, frames, samples per pixel, photometric interpretation, bits, pixel
representation, rescale and window. Patient and study identifiers are never printed.

Options:
  --json   print the attributes as one JSON object instead of a table
`,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(argv, { json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new UsageError(`expected one FILE, got ${positionals.length}`);
    const image = await readDicomFile(positionals[0]!, { headerOnly: true });
    io.stdout.write(values.json ? `${JSON.stringify(publicInfo(image.info), null, 2)}\n` : infoTable(image.info));
    return 0;
  },
};
