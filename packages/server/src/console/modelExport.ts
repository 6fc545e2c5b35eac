import type { NamedTensors } from '@fedcl/protocol';

/**
 * Model downloads without tfjs: the coordinator stores FCLW fp32 weights, and these re-pack them.
 *
 * safetensors (huggingface/safetensors "Format"): u64 LE header length N | N bytes of JSON header,
 * space-padded to a multiple of 8 | little-endian data. All tensors here are F32, laid out by name
 * as the reference writer orders equal-size dtypes.
 */
export function toSafetensors(tensors: NamedTensors, metadata: Record<string, string>): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const n of names) {
    const t = tensors.get(n)!;
    header[n] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.length * 4] };
    offset += t.data.length * 4;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const head = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const n of names) {
    const d = tensors.get(n)!.data;
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), at);
    at += d.byteLength;
  }
  return out;
}

/**
 * tfjs weights artifacts: `model.json` ({format: 'weights', weightsManifest}) + `weights.bin`, the
 * layout `tf.io.loadWeights` / a LayersModel's weight manifest reads (float32, manifest order).
 */
export function toTfjsWeights(tensors: NamedTensors, metadata: Record<string, string>): { modelJson: string; weightsBin: Uint8Array } {
  const names = [...tensors.keys()];
  const bytes = names.reduce((a, n) => a + tensors.get(n)!.data.byteLength, 0);
  const weightsBin = new Uint8Array(bytes);
  let at = 0;
  for (const n of names) {
    const d = tensors.get(n)!.data;
    weightsBin.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), at);
    at += d.byteLength;
  }
  const modelJson = JSON.stringify({
    format: 'weights',
    generatedBy: 'fedcl coordinator',
    userDefinedMetadata: metadata,
    weightsManifest: [{ paths: ['./weights.bin'], weights: names.map((name) => ({ name, shape: tensors.get(name)!.shape, dtype: 'float32' })) }],
  });
  return { modelJson, weightsBin };
}

/** A POSIX ustar archive of regular files (names < 100 bytes), mode 0644, two zero blocks at the end. */
export function tarArchive(files: { name: string; data: Uint8Array }[], mtime = Math.floor(Date.now() / 1000)): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const f of files) {
    if (Buffer.byteLength(f.name) >= 100) throw new RangeError(`tar entry name '${f.name}' is too long (≥ 100 bytes)`);
    const h = Buffer.alloc(512);
    const put = (s: string, at: number, len: number) => h.write(s.slice(0, len), at, 'ascii');
    const octal = (n: number, len: number) => n.toString(8).padStart(len - 1, '0');
    put(f.name, 0, 100);
    put(octal(0o644, 8), 100, 8);
    put(octal(0, 8), 108, 8);
    put(octal(0, 8), 116, 8);
    put(octal(f.data.length, 12), 124, 12);
    put(octal(mtime, 12), 136, 12);
    h.fill(0x20, 148, 156); // checksum computed with its own field as spaces
    h[156] = 0x30; // '0' regular file
    put('ustar\u000000', 257, 8);
    let sum = 0;
    for (const b of h) sum += b;
    put(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8);
    blocks.push(h, f.data, new Uint8Array((512 - (f.data.length % 512)) % 512));
  }
  blocks.push(new Uint8Array(1024));
  return Buffer.concat(blocks);
}
