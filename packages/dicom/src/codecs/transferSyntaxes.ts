/** The encapsulated transfer syntaxes (PS3.6 table A-1) and which codec decodes each. */

export interface EncapsulatedSyntax {
  uid: string;
  name: string;
  /** The decoder used, or undefined when the syntax is known but not decodable here. */
  codec: string | undefined;
}

export const LIBJPEG_TURBO = 'libjpeg-turbo 8-bit (WASM) / fedcl 12-bit DCT decoder';
export const JPEG_LOSSLESS = 'fedcl lossless JPEG (T.81 Annex H)';
export const CHARLS = 'CharLS (WASM)';
export const OPENJPEG = 'OpenJPEG (WASM)';
export const OPENJPH = 'OpenJPH (WASM)';
export const RLE = 'fedcl RLE (PS3.5 Annex G)';

export const ENCAPSULATED_SYNTAXES: readonly EncapsulatedSyntax[] = [
  { uid: '1.2.840.10008.1.2.4.50', name: 'JPEG Baseline (Process 1)', codec: LIBJPEG_TURBO },
  { uid: '1.2.840.10008.1.2.4.51', name: 'JPEG Extended (Process 2 & 4)', codec: LIBJPEG_TURBO },
  { uid: '1.2.840.10008.1.2.4.57', name: 'JPEG Lossless, Non-Hierarchical (Process 14)', codec: JPEG_LOSSLESS },
  { uid: '1.2.840.10008.1.2.4.70', name: 'JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])', codec: JPEG_LOSSLESS },
  { uid: '1.2.840.10008.1.2.4.80', name: 'JPEG-LS Lossless', codec: CHARLS },
  { uid: '1.2.840.10008.1.2.4.81', name: 'JPEG-LS Lossy (Near-Lossless)', codec: CHARLS },
  { uid: '1.2.840.10008.1.2.4.90', name: 'JPEG 2000 Image Compression (Lossless Only)', codec: OPENJPEG },
  { uid: '1.2.840.10008.1.2.4.91', name: 'JPEG 2000 Image Compression', codec: OPENJPEG },
  { uid: '1.2.840.10008.1.2.4.201', name: 'High-Throughput JPEG 2000 Image Compression (Lossless Only)', codec: OPENJPH },
  { uid: '1.2.840.10008.1.2.4.202', name: 'High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)', codec: OPENJPH },
  { uid: '1.2.840.10008.1.2.4.203', name: 'High-Throughput JPEG 2000 Image Compression', codec: OPENJPH },
  { uid: '1.2.840.10008.1.2.5', name: 'RLE Lossless', codec: RLE },
  // Known encapsulated syntaxes without a decoder here: named in errors, never decoded.
  { uid: '1.2.840.10008.1.2.4.52', name: 'JPEG Extended (Process 3 & 5) (Retired)', codec: undefined },
  { uid: '1.2.840.10008.1.2.4.53', name: 'JPEG Spectral Selection, Non-Hierarchical (Process 6 & 8) (Retired)', codec: undefined },
  { uid: '1.2.840.10008.1.2.4.55', name: 'JPEG Full Progression, Non-Hierarchical (Process 10 & 12) (Retired)', codec: undefined },
  { uid: '1.2.840.10008.1.2.4.58', name: 'JPEG Lossless, Non-Hierarchical (Process 15) (Retired)', codec: undefined },
  { uid: '1.2.840.10008.1.2.4.92', name: 'JPEG 2000 Part 2 Multi-component Image Compression (Lossless Only)', codec: undefined },
  { uid: '1.2.840.10008.1.2.4.93', name: 'JPEG 2000 Part 2 Multi-component Image Compression', codec: undefined },
  { uid: '1.2.840.10008.1.2.4.100', name: 'MPEG2 Main Profile / Main Level', codec: undefined },
  { uid: '1.2.840.10008.1.2.4.101', name: 'MPEG2 Main Profile / High Level', codec: undefined },
  { uid: '1.2.840.10008.1.2.4.102', name: 'MPEG-4 AVC/H.264 High Profile / Level 4.1', codec: undefined },
  { uid: '1.2.840.10008.1.2.4.103', name: 'MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1', codec: undefined },
  { uid: '1.2.840.10008.1.2.4.104', name: 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video', codec: undefined },
  { uid: '1.2.840.10008.1.2.4.105', name: 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video', codec: undefined },
  { uid: '1.2.840.10008.1.2.4.106', name: 'MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2', codec: undefined },
  { uid: '1.2.840.10008.1.2.4.107', name: 'HEVC/H.265 Main Profile / Level 5.1', codec: undefined },
  { uid: '1.2.840.10008.1.2.4.108', name: 'HEVC/H.265 Main 10 Profile / Level 5.1', codec: undefined },
  { uid: '1.2.840.10008.1.2.4.110', name: 'JPEG XL Lossless', codec: undefined },
  { uid: '1.2.840.10008.1.2.4.111', name: 'JPEG XL JPEG Recompression', codec: undefined },
  { uid: '1.2.840.10008.1.2.4.112', name: 'JPEG XL', codec: undefined },
  { uid: '1.2.840.10008.1.2.8.1', name: 'Deflated Image Frame Compression', codec: undefined },
];
