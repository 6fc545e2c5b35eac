import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main, resolve } from './main.js';
import { type Command, UsageError, numberOption } from './command.js';

function capture() {
  let out = '';
  let err = '';
  return {
    io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } },
    get out() { return out; },
    get err() { return err; },
  };
}

const calls: string[][] = [];
const fake: Command[] = [
  { name: 'dicom', summary: 'group', usage: 'usage: dicom', run: async (a) => (calls.push(['dicom', ...a]), 0) },
  { name: 'dicom info', summary: 'info', usage: 'usage: dicom info FILE', run: async (a) => (calls.push(['info', ...a]), 0) },
  { name: 'boom', summary: 'fails', usage: 'usage: boom', run: async () => { throw Object.assign(new Error('bad file'), { name: 'DicomError', code: 'NOT_DICOM' }); } },
  { name: 'misuse', summary: 'usage error', usage: 'usage: misuse N', run: async () => { throw new UsageError('N is required'); } },
];

test('resolve picks the longest matching command name', () => {
  const r = resolve(fake, ['dicom', 'info', 'a.dcm']);
  assert.equal(r?.command.name, 'dicom info');
  assert.deepEqual(r?.rest, ['a.dcm']);
  assert.equal(resolve(fake, ['dicom', 'x'])?.command.name, 'dicom');
  assert.equal(resolve(fake, ['nope']), undefined);
});

test('main dispatches, reports typed errors with their code, and maps usage errors to exit 2', async () => {
  const c = capture();
  assert.equal(await main(['dicom', 'info', 'f.dcm'], c.io, fake), 0);
  assert.deepEqual(calls.at(-1), ['info', 'f.dcm']);
  const b = capture();
  assert.equal(await main(['boom'], b.io, fake), 1);
  assert.match(b.err, /DicomError \[NOT_DICOM\]: bad file/);
  const m = capture();
  assert.equal(await main(['misuse'], m.io, fake), 2);
  assert.match(m.err, /N is required[\s\S]*usage: misuse N/);
  const u = capture();
  assert.equal(await main(['frobnicate'], u.io, fake), 2);
  assert.match(u.err, /unknown command 'frobnicate'/);
  const h = capture();
  assert.equal(await main(['dicom', 'info', '--help'], h.io, fake), 0);
  assert.equal(h.out, 'usage: dicom info FILE\n');
});

test('numberOption refuses non-numbers and out-of-range values', () => {
  assert.equal(numberOption('frame', undefined, 0), 0);
  assert.equal(numberOption('frame', '3', 0, 0), 3);
  assert.throws(() => numberOption('frame', 'x', 0), /--frame must be a number/);
  assert.throws(() => numberOption('frame', '-1', 0, 0), UsageError);
});
