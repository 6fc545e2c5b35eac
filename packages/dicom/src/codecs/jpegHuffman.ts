/**
 * Huffman-coded entropy data of ITU T.81 (sequential DCT and lossless processes): table
 * construction (Annex C), a bit reader that removes FF00 stuffing, and decoding with a 9-bit
 * lookup table plus the canonical slow path (F.2.2.3).
 */

export interface HuffmanTable {
  maxcode: Int32Array;
  valptr: Int32Array;
  mincode: Int32Array;
  values: Uint8Array;
  /** For codes of ≤ 9 bits: (length << 8 | value) at every 9-bit prefix of the code; 0 otherwise. */
  lookup: Int32Array;
}

const LOOKUP_BITS = 9;

/** Builds a table from a DHT segment's 16 code-length counts and its values. */
export function buildHuffman(counts: Uint8Array, values: Uint8Array): HuffmanTable {
  const maxcode = new Int32Array(18).fill(-1);
  const valptr = new Int32Array(17);
  const mincode = new Int32Array(17);
  const lookup = new Int32Array(1 << LOOKUP_BITS);
  let code = 0;
  let k = 0;
  for (let l = 1; l <= 16; l++) {
    valptr[l] = k;
    mincode[l] = code;
    for (let i = 0; i < counts[l - 1]!; i++, code++, k++) {
      if (l <= LOOKUP_BITS) {
        const first = code << (LOOKUP_BITS - l);
        lookup.fill((l << 8) | values[k]!, first, first + (1 << (LOOKUP_BITS - l)));
      }
    }
    maxcode[l] = counts[l - 1] ? code - 1 : -1;
    code <<= 1;
  }
  maxcode[17] = 0x7fffffff;
  return { maxcode, valptr, mincode, values, lookup };
}

/**
 * Reads entropy-coded bits, removing FF00 stuffing. At a marker (or the end of the data) it
 * supplies zero bits without consuming it, as libjpeg does, and sets `hitMarker`. Bytes are
 * consumed only as bits are needed, so after `reset()` `pos` is at most a few padding bytes
 * before the next marker.
 */
export class BitReader {
  pos: number;
  hitMarker = false;
  private acc = 0;
  private bits = 0;

  constructor(
    private readonly data: Uint8Array,
    start: number,
  ) {
    this.pos = start;
  }

  private fill(n: number): void {
    while (this.bits < n) {
      let byte = 0;
      if (!this.hitMarker && this.pos < this.data.length) {
        byte = this.data[this.pos]!;
        if (byte !== 0xff) this.pos++;
        else if (this.data[this.pos + 1] === 0) this.pos += 2;
        else {
          this.hitMarker = true;
          byte = 0;
        }
      } else this.hitMarker = true;
      this.acc = ((this.acc << 8) | byte) >>> 0;
      this.bits += 8;
    }
  }

  /** The next n (0–16) bits as an unsigned number. */
  receive(n: number): number {
    if (n === 0) return 0;
    if (this.bits < n) this.fill(n);
    this.bits -= n;
    return (this.acc >>> this.bits) & ((1 << n) - 1);
  }

  /** The next Huffman-coded value of table `t`, or -1 for a code the table does not have. */
  decode(t: HuffmanTable): number {
    if (this.bits < 16) this.fill(25);
    const e = t.lookup[(this.acc >>> (this.bits - LOOKUP_BITS)) & ((1 << LOOKUP_BITS) - 1)]!;
    if (e !== 0) {
      this.bits -= e >> 8;
      return e & 0xff;
    }
    for (let l = LOOKUP_BITS + 1; l <= 16; l++) {
      const code = (this.acc >>> (this.bits - l)) & ((1 << l) - 1);
      if (code <= t.maxcode[l]!) {
        this.bits -= l;
        return t.values[t.valptr[l]! + code - t.mincode[l]!] ?? -1;
      }
    }
    return -1;
  }

  /** Drops buffered bits, to resynchronise at a restart marker or after the scan. */
  reset(): void {
    this.acc = 0;
    this.bits = 0;
    this.hitMarker = false;
  }

  /** At a restart boundary: drops buffered bits and moves past the next RSTn marker (if any). */
  restart(): void {
    this.reset();
    const b = this.data;
    while (this.pos + 1 < b.length && !(b[this.pos] === 0xff && b[this.pos + 1]! >= 0xd0 && b[this.pos + 1]! <= 0xd7)) {
      if (b[this.pos] === 0xff && b[this.pos + 1] !== 0 && b[this.pos + 1] !== 0xff) return;
      this.pos++;
    }
    if (b[this.pos] === 0xff && b[this.pos + 1]! >= 0xd0 && b[this.pos + 1]! <= 0xd7) this.pos += 2;
  }

  /** After the scan: the offset of the next marker that is not stuffing or RSTn. */
  endOfScan(): number {
    this.reset();
    const b = this.data;
    let p = this.pos;
    while (p + 1 < b.length && !(b[p] === 0xff && b[p + 1] !== 0 && b[p + 1] !== 0xff && !(b[p + 1]! >= 0xd0 && b[p + 1]! <= 0xd7))) p++;
    return p + 1 < b.length ? p : b.length;
  }
}

/** T.81 F.2.2.1 EXTEND: the n-bit value v as a signed difference. */
export function extend(v: number, n: number): number {
  return n === 0 ? 0 : v < 1 << (n - 1) ? v - (1 << n) + 1 : v;
}
