import { writeFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { type PixelStage, readDicomFile } from '@fedcl/dicom';
import { type CliIO, type Command, numberOption, parseCommandArgs, UsageError } from '../command.js';

const STAGES: readonly PixelStage[] = ['stored', 'modality', 'display'];

/** Float32 samples as little-endian bytes (a copy only on big-endian hosts). */
export function float32LE(samples: Float32Array): Uint8Array {
  const bytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
  if (endianness() === 'LE') return bytes;
  const out = new Uint8Array(bytes.length);
  const view = new DataView(out.buffer);
  for (let i = 0; i < samples.length; i++) view.setFloat32(4 * i, samples[i]!, true);
  return out;
}

export const dicomPixels: Command = {
  name: 'dicom pixels',
  summary: 'Write one frame of a DICOM file as raw float32 at a pipeline stage',
  usage: `Usage: fedcl dicom pixels FILE --out OUT.f32 [--frame N] [--stage STAGE] [--voi K]

Decodes frame N (0-based, default 0) of FILE and writes it to OUT.f32 as little-endian float32,
row-major rows × columns × samples per pixel (interleaved), then prints shape, min and max.

Stages (see docs/dicom.md):
  stored    stored values after bit masking and sign extension
  modality  after the modality LUT (rescale slope/intercept or LUT); RGB for colour images
  display   after the VOI LUT / window and MONOCHROME1 inversion, scaled to [0, 1] (default)

Options:
  --out FILE    where to write (required)
  --frame N     frame index, default 0
  --stage S     stored | modality | display, default display
  --voi K       which window / VOI LUT to use when the file has several, default 0
`,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(argv, {
      out: { type: 'string' },
      frame: { type: 'string' },
      stage: { type: 'string' },
      voi: { type: 'string' },
    });
    if (positionals.length !== 1) throw new UsageError(`expected one FILE, got ${positionals.length}`);
    const out = values.out as string | undefined;
    if (!out) throw new UsageError('--out OUT.f32 is required');
    const stage = (values.stage as string | undefined) ?? 'display';
    if (!STAGES.includes(stage as PixelStage)) throw new UsageError(`--stage must be one of ${STAGES.join(', ')}, got '${stage}'`);
    const frame = numberOption('frame', values.frame as string | undefined, 0, 0);
    const voiIndex = numberOption('voi', values.voi as string | undefined, 0, 0);
    if (!Number.isInteger(frame) || !Number.isInteger(voiIndex)) throw new UsageError('--frame and --voi must be integers');

    const image = await readDicomFile(positionals[0]!);
    const samples = await image.frame(frame, stage as PixelStage, { voiIndex });
    await writeFile(out, float32LE(samples));
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < samples.length; i++) {
      const v = samples[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const { rows, columns, numberOfFrames } = image.info;
    io.stdout.write(
      `${out}: ${rows}×${columns}×${image.samplesAt(stage as PixelStage)} float32, frame ${frame} of 0..${numberOfFrames - 1}, stage ${stage}, min ${min}, max ${max}\n`,
    );
    return 0;
  },
};
