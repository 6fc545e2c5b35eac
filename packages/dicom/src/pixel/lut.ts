import type { DataSet } from 'dicom-parser';
import { TAG, ushortValue } from '../attributes.js';
import { DicomError } from '../errors.js';

/** A lookup table of the Modality, VOI or Palette Color LUT modules (PS3.3 C.11.1.1.1). */
export interface Lut {
  /** Input value mapped to entry 0; inputs below it map to entry 0, above the last to the last. */
  firstMapped: number;
  /** Nominal bit depth of the entries (third descriptor value). */
  bits: number;
  /** [entries] output values. */
  data: Uint16Array | Uint8Array;
}

/**
 * Reads LUT Descriptor + LUT Data of one item. The descriptor's first value 0 means 65536
 * entries; its second is signed when `signedInput` (US/SS ambiguity, C.11.1.1.1). Entries are
 * 16-bit words, or bytes when the data holds exactly one byte per entry.
 */
export function readLut(ds: DataSet, descriptorTag: string, dataTag: string, signedInput: boolean, file?: string): Lut {
  const descriptor = ds.elements[descriptorTag];
  // Explicit VR says US or SS; implicit VR leaves it to the signedness of the input values.
  const signedFirst = descriptor?.vr === 'SS' || ((descriptor?.vr === undefined || descriptor.vr === 'UN') && signedInput);
  const entries = ushortValue(ds, descriptorTag, false, 0);
  const firstMapped = ushortValue(ds, descriptorTag, signedFirst, 1);
  const bits = ushortValue(ds, descriptorTag, false, 2);
  const el = ds.elements[dataTag];
  if (entries === undefined || firstMapped === undefined || bits === undefined || !el) {
    throw new DicomError('INVALID_ATTRIBUTE', `LUT (${dataTag.slice(1, 5)},${dataTag.slice(5)}) has no complete descriptor or no data; the lookup table cannot be applied`, { file });
  }
  const n = entries === 0 ? 65536 : entries;
  if (el.length === n) {
    return { firstMapped, bits, data: ds.byteArray.slice(el.dataOffset, el.dataOffset + n) };
  }
  if (el.length < 2 * n) {
    throw new DicomError('INVALID_ATTRIBUTE', `LUT data has ${el.length} bytes for ${n} entries`, { file });
  }
  const data = new Uint16Array(n);
  const parser = el.parser ?? ds.byteArrayParser;
  for (let i = 0; i < n; i++) data[i] = parser.readUint16(ds.byteArray, el.dataOffset + 2 * i);
  return { firstMapped, bits, data };
}

/** The Modality LUT of the data set, if it has a Modality LUT Sequence. */
export function modalityLut(ds: DataSet, signedInput: boolean, file?: string): Lut | undefined {
  const itemDs = ds.elements[TAG.modalityLutSequence]?.items?.[0]?.dataSet;
  return itemDs ? readLut(itemDs, TAG.lutDescriptor, TAG.lutData, signedInput, file) : undefined;
}

/** The number of VOI LUT Sequence items. */
export function voiLutCount(ds: DataSet): number {
  return ds.elements[TAG.voiLutSequence]?.items?.length ?? 0;
}

/** Item `index` of the VOI LUT Sequence as a Lut. */
export function voiLut(ds: DataSet, index: number, signedInput: boolean, file?: string): Lut {
  const itemDs = ds.elements[TAG.voiLutSequence]!.items![index]!.dataSet!;
  return readLut(itemDs, TAG.lutDescriptor, TAG.lutData, signedInput, file);
}

/**
 * Looks `values` up in `lut`: out[i] = data[clamp(values[i] - firstMapped, 0, entries-1)].
 * @param values [n] integer inputs. @param out [n].
 */
export function applyLut(values: ArrayLike<number>, lut: Lut, out: Float32Array | Float64Array): void {
  const { data, firstMapped } = lut;
  const last = data.length - 1;
  const n = values.length;
  for (let i = 0; i < n; i++) {
    let k = Math.floor(values[i]!) - firstMapped;
    k = k < 0 ? 0 : k > last ? last : k;
    out[i] = data[k]!;
  }
}
