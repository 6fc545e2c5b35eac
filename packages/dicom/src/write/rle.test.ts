import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeRleFrame } from './rle.js';

/**
 * A deliberately naive RLE decoder written from PS3.5 Annex G (G.3.2 / G.5): header of 16 uint32,
 * segments MSB plane first, PackBits: n in 0..127 → copy n+1 bytes; n in 129..255 → repeat the
 * next byte 257-n times; 128 → no-op. Also returns each segment's row boundaries as decoded, to
 * check that no run crosses a row.
 */
function naiveDecode(frame: Uint8Array, rows: number, columns: number, spp: number, bytes: number): { samples: number[]; runsCrossRows: boolean } {
  const v = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const count = v.getUint32(0, true);
  assert.equal(count, spp * bytes, 'segment count');
  const offsets = Array.from({ length: count }, (_, i) => v.getUint32(4 + 4 * i, true));
  for (let i = count; i < 15; i++) assert.equal(v.getUint32(4 + 4 * i, true), 0, 'unused offsets are 0');
  const n = rows * columns;
  const samples = new Array<number>(n * spp).fill(0);
  let runsCrossRows = false;
  offsets.forEach((start, seg) => {
    const end = seg + 1 < count ? offsets[seg + 1]! : frame.length;
    assert.equal((end - start) % 2, 0, 'segment length even');
    const out: number[] = [];
    let p = start;
    while (out.length < n && p < end) {
      const h = frame[p++]!;
      const before = out.length;
      if (h < 128) for (let k = 0; k <= h; k++) out.push(frame[p++]!);
      else if (h > 128) {
        const b = frame[p++]!;
        for (let k = 0; k < 257 - h; k++) out.push(b);
      }
      if (Math.floor(before / columns) !== Math.floor((out.length - 1) / columns)) runsCrossRows = true;
    }
    assert.equal(out.length, n, `segment ${seg} decodes to one byte per pixel`);
    const sample = Math.floor(seg / bytes);
    const shift = 8 * (bytes - 1 - (seg % bytes));
    out.forEach((b, i) => (samples[i * spp + sample]! += b << shift));
  });
  return { samples, runsCrossRows };
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
}

test('RLE frames decode (naive Annex G decoder) to the original samples, runs never cross rows', () => {
  const rand = lcg(7);
  const shapes: [number, number, number, 1 | 2][] = [[1, 1, 1, 1], [3, 200, 1, 2], [17, 130, 1, 2], [9, 11, 3, 1], [40, 3, 1, 2]];
  for (const [rows, columns, spp, bytes] of shapes) {
    const n = rows * columns * spp;
    // Mixture of long runs (> 128), 2-byte repeats, and random literals.
    const values: number[] = [];
    while (values.length < n) {
      const kind = rand() % 4;
      const len = kind === 0 ? 1 + (rand() % 300) : kind === 1 ? 2 : 1 + (rand() % 5);
      const v = rand() % (bytes === 2 ? 65536 : 256);
      for (let k = 0; k < len && values.length < n; k++) values.push(kind >= 2 ? rand() % (bytes === 2 ? 65536 : 256) : v);
    }
    const samples = bytes === 2 ? Uint16Array.from(values) : Uint8Array.from(values);
    const frame = encodeRleFrame(samples, rows, columns, spp, bytes);
    assert.equal(frame.length % 2, 0, 'frame length even');
    const { samples: decoded, runsCrossRows } = naiveDecode(frame, rows, columns, spp, bytes);
    assert.deepEqual(decoded, values, `${rows}x${columns}x${spp} ${bytes}B`);
    assert.equal(runsCrossRows, false, 'G.3.1: each row is encoded separately');
  }
});

test('RLE of signed samples stores their two\'s-complement bytes', () => {
  const samples = Int16Array.of(-1, -32768, 32767, 0);
  const { samples: decoded } = naiveDecode(encodeRleFrame(samples, 2, 2, 1, 2), 2, 2, 1, 2);
  assert.deepEqual(decoded, [0xffff, 0x8000, 0x7fff, 0]);
});

test('RLE compresses a constant row to one replicate run per 128 bytes', () => {
  const frame = encodeRleFrame(new Uint8Array(256).fill(9), 1, 256, 1, 1);
  assert.deepEqual(Array.from(frame.subarray(64)), [129, 9, 129, 9]);
});
