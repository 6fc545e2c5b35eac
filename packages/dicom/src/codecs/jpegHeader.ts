/**
 * Reads the JPEG (ITU T.81) marker segments before the first scan: the frame header and the
 * markers that tell whether colour components were transformed to YCbCr (JFIF APP0, Adobe APP14).
 */

export interface JpegHeader {
  /** The SOF marker's low byte: 0xC0 baseline, 0xC1 extended, 0xC3 lossless, 0xF7 JPEG-LS SOF55… */
  sof: number;
  precision: number;
  rows: number;
  columns: number;
  components: { id: number; h: number; v: number }[];
  jfif: boolean;
  /** The Adobe APP14 transform flag (0 none, 1 YCbCr, 2 YCCK), when the marker is present. */
  adobeTransform: number | undefined;
}

/** Parses the header, or returns undefined when the bytes are not a JPEG header (no SOI, no SOF). */
export function readJpegHeader(b: Uint8Array): JpegHeader | undefined {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let jfif = false;
  let adobeTransform: number | undefined;
  let i = 2;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    const length = (b[i + 2]! << 8) | b[i + 3]!;
    const seg = i + 4;
    if (length < 2 || i + 2 + length > b.length) return undefined;
    if (marker === 0xe0 && length >= 7 && String.fromCharCode(...b.subarray(seg, seg + 5)) === 'JFIF\0') jfif = true;
    if (marker === 0xee && length >= 14 && String.fromCharCode(...b.subarray(seg, seg + 5)) === 'Adobe') adobeTransform = b[seg + 11];
    const isSof = (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) || marker === 0xf7;
    if (isSof) {
      const n = b[seg + 5]!;
      if (length < 8 + 3 * n) return undefined;
      const components = [];
      for (let c = 0; c < n; c++) {
        const s = b[seg + 7 + 3 * c]!;
        components.push({ id: b[seg + 6 + 3 * c]!, h: s >> 4, v: s & 15 });
      }
      return {
        sof: marker,
        precision: b[seg]!,
        rows: (b[seg + 1]! << 8) | b[seg + 2]!,
        columns: (b[seg + 3]! << 8) | b[seg + 4]!,
        components,
        jfif,
        adobeTransform,
      };
    }
    if (marker === 0xda) return undefined;
    i += 2 + length;
  }
  return undefined;
}

/**
 * Whether a 3-component JPEG stream holds YCbCr (so the decoder converts it to RGB) or RGB as is.
 * JFIF and Adobe APP14 say so explicitly; component ids 'R','G','B' mean RGB. A stream with none
 * of these is ambiguous: libjpeg assumes YCbCr, but DICOM writers that compressed RGB without a
 * colour transform (pydicom's SC_jpeg_no_color_transform.dcm) leave only the header's
 * Photometric Interpretation RGB to say so. We trust that header unless the chroma components
 * are subsampled, which only makes sense for YCbCr (GDCM writes RGB for such streams).
 */
export function isYcbcrStream(h: JpegHeader, photometric: string): boolean {
  if (h.jfif) return true;
  if (h.adobeTransform !== undefined) return h.adobeTransform !== 0;
  const [c0, c1, c2] = h.components;
  if (c0?.id === 0x52 && c1?.id === 0x47 && c2?.id === 0x42) return false;
  const subsampled = h.components.some((c) => c.h !== h.components[0]!.h || c.v !== h.components[0]!.v);
  return subsampled || photometric !== 'RGB';
}

/** What libjpeg itself assumes for a 3-component stream (jdapimin.c default_decompress_parms). */
export function libjpegAssumesYcbcr(h: JpegHeader): boolean {
  if (h.jfif) return true;
  if (h.adobeTransform !== undefined) return h.adobeTransform !== 0;
  const [c0, c1, c2] = h.components;
  return !(c0?.id === 0x52 && c1?.id === 0x47 && c2?.id === 0x42);
}

/** A copy of the stream with an Adobe APP14 segment (transform 0: no colour transform) after SOI. */
export function withAdobeNoTransform(b: Uint8Array): Uint8Array {
  const app14 = [0xff, 0xee, 0x00, 0x0e, 0x41, 0x64, 0x6f, 0x62, 0x65, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00];
  const out = new Uint8Array(b.length + app14.length);
  out.set(b.subarray(0, 2));
  out.set(app14, 2);
  out.set(b.subarray(2), 2 + app14.length);
  return out;
}
