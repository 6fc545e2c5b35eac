/**
 * Test helper run as a child process: decodes every frame of each file given on the command line
 * through the public API, writing nothing itself, so that whatever appears on its stdout came
 * from the codecs. With `--raw-openjpeg CODESTREAM` it instead decodes a J2K codestream with an
 * OpenJPEG module instantiated without options (the positive control: that one does print).
 */
import { readFileSync } from 'node:fs';
import { readDicomFile } from '../../parse.js';

const args = process.argv.slice(2);
if (args[0] === '--raw-openjpeg') {
  const factory = (await import('@cornerstonejs/codec-openjpeg/decodewasmjs')).default as unknown as () => Promise<{
    J2KDecoder: new () => { getEncodedBuffer(n: number): Uint8Array; decode(): void; delete(): void };
  }>;
  const m = await factory();
  const bytes = readFileSync(args[1]!);
  const d = new m.J2KDecoder();
  d.getEncodedBuffer(bytes.length).set(bytes);
  d.decode();
  d.delete();
} else {
  for (const file of args) {
    const image = await readDicomFile(file);
    for (let k = 0; k < image.info.numberOfFrames; k++) await image.frame(k, 'display');
  }
}
