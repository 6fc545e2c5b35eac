/**
 * Test support: a minimal lossless JPEG encoder (T.81 Annex H, one component, Huffman, any
 * predictor, restart intervals), to make streams with layouts no test file has. Its output is
 * checked by DCMTK's dcmdjpeg in the tests, so it is not trusted blindly.
 */

class BitWriter {
  private bytes: number[] = [];
  private acc = 0;
  private n = 0;
  write(value: number, bits: number): void {
    for (let i = bits - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((value >> i) & 1);
      if (++this.n === 8) this.flushByte();
    }
  }
  private flushByte(): void {
    this.bytes.push(this.acc);
    if (this.acc === 0xff) this.bytes.push(0);
    this.acc = 0;
    this.n = 0;
  }
  /** Pads the last byte with 1 bits (T.81 F.1.2.3). */
  align(): void {
    while (this.n !== 0) this.write(1, 1);
  }
  marker(m: number): void {
    this.bytes.push(0xff, m);
  }
  raw(b: number[]): void {
    this.bytes.push(...b);
  }
  result(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

/**
 * Encodes rows × columns samples of `precision` bits with predictor `sv` (1–7) and a restart
 * marker every `restartInterval` samples (0: none). Huffman table: 17 codes of 5 bits, one per
 * difference category 0–16.
 */
export function encodeLosslessJpeg(samples: ArrayLike<number>, rows: number, columns: number, precision: number, sv: number, restartInterval: number): Uint8Array {
  const w = new BitWriter();
  w.marker(0xd8);
  w.marker(0xc4);
  w.raw([0, 2 + 1 + 16 + 17, 0x00, 0, 0, 0, 0, 17, ...Array(11).fill(0), ...Array.from({ length: 17 }, (_, i) => i)]);
  if (restartInterval) {
    w.marker(0xdd);
    w.raw([0, 4, restartInterval >> 8, restartInterval & 255]);
  }
  w.marker(0xc3);
  w.raw([0, 11, precision, rows >> 8, rows & 255, columns >> 8, columns & 255, 1, 1, 0x11, 0]);
  w.marker(0xda);
  w.raw([0, 8, 1, 1, 0x00, sv, 0, 0]);
  const x = (r: number, c: number) => samples[r * columns + c]!;
  let firstLine = true;
  let rst = 0;
  for (let i = 0; i < rows * columns; i++) {
    const r = Math.floor(i / columns);
    const c = i % columns;
    const restartHere = restartInterval ? i % restartInterval === 0 : i === 0;
    if (restartHere && i > 0) {
      w.align();
      w.marker(0xd0 + (rst++ % 8));
    }
    if (restartHere) firstLine = true;
    else if (c === 0) firstLine = false;
    let p: number;
    if (restartHere) p = 1 << (precision - 1);
    else if (firstLine) p = x(r, c - 1);
    else if (c === 0) p = x(r - 1, c);
    else {
      const [ra, rb, rc] = [x(r, c - 1), x(r - 1, c), x(r - 1, c - 1)];
      p = [0, ra, rb, rc, ra + rb - rc, ra + ((rb - rc) >> 1), rb + ((ra - rc) >> 1), (ra + rb) >> 1][sv]!;
    }
    let diff = (x(r, c) - p) & 0xffff;
    if (diff >= 32768) diff -= 65536;
    const ssss = diff === -32768 ? 16 : diff === 0 ? 0 : 32 - Math.clz32(Math.abs(diff));
    w.write(ssss, 5);
    if (ssss > 0 && ssss < 16) w.write(diff < 0 ? diff + (1 << ssss) - 1 : diff, ssss);
  }
  w.align();
  w.marker(0xd9);
  return w.result();
}
