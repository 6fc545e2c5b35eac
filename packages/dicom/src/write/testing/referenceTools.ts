import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Independent reference tools for the writer and demo-data tests: DCMTK, GDCM and pydicom
 * (Debian python3). A missing tool fails the test with the command that installs it
 * (`bash scripts/test-deps.sh` installs them all).
 */

const INSTALL: Record<string, string> = {
  dcmdump: 'apt-get install dcmtk', dcmdrle: 'apt-get install dcmtk', dcmdjpls: 'apt-get install dcmtk',
  gdcmconv: 'apt-get install libgdcm-tools', '/usr/bin/python3': 'apt-get install python3-pydicom python3-numpy',
};

function run(cmd: string, args: string[], input?: string): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, maxBuffer: 1 << 30 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(`reference tool '${cmd}' is not installed: ${INSTALL[cmd] ?? 'install it'} (or run bash scripts/test-deps.sh)`);
  }
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** `dcmdump -E FILE`: what DCMTK reports on stderr while parsing (empty for a clean file) and its exit status. */
export function dcmdumpErrors(path: string): { status: number; stderr: string; dump: string } {
  const r = run('dcmdump', ['-E', path]);
  return { status: r.status, stderr: r.stderr.trim(), dump: r.stdout };
}

/** Decompresses `input` to explicit VR little endian with DCMTK (`dcmdrle` or `dcmdjpls`) or GDCM (`gdcmconv --raw`). */
export function decompress(tool: 'dcmdrle' | 'dcmdjpls' | 'gdcmconv', input: string, output: string): void {
  const args = tool === 'gdcmconv' ? ['--raw', input, output] : [input, output];
  const r = run(tool, args);
  if (r.status !== 0) throw new Error(`${tool} failed on ${input} (exit ${r.status}): ${r.stderr}${r.stdout}`);
}

export interface PydicomResult {
  path: string;
  error: string | null;
  transferSyntax?: string;
  meta?: Record<string, unknown>;
  attrs?: Record<string, unknown>;
  pixels: { dtype: string; shape: number[]; b64: string } | null;
}

const SCRIPT = fileURLToPath(new URL('./pydicomRead.py', import.meta.url));

/** Reads files with pydicom (values validated strictly) in one Python process. */
export function pydicomRead(paths: string[]): PydicomResult[] {
  const r = run('/usr/bin/python3', [SCRIPT], JSON.stringify(paths));
  if (r.status !== 0) throw new Error(`pydicom reference reader failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as PydicomResult[];
}

/** pydicom's pixel array as a typed array of the same numeric values (little-endian copy). */
export function pydicomPixels(r: PydicomResult): Int32Array {
  if (!r.pixels) throw new Error(`pydicom decoded no pixels for ${r.path}${r.error ? `: ${r.error}` : ''}`);
  const bytes = Buffer.from(r.pixels.b64, 'base64');
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const typed = { uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array, uint32: Uint32Array, int32: Int32Array }[r.pixels.dtype];
  if (!typed) throw new Error(`unexpected pydicom dtype ${r.pixels.dtype}`);
  return Int32Array.from(new typed(buf));
}

/** Runs a Python snippet with Debian python3 (pydicom, numpy) and returns its stdout. */
export function python(code: string, input = ''): string {
  const r = run('/usr/bin/python3', ['-c', code], input);
  if (r.status !== 0) throw new Error(`python reference failed: ${r.stderr}`);
  return r.stdout;
}
