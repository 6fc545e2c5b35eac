/**
 * Reads the image size from a JPEG 2000 / HTJ2K codestream's SIZ marker (ISO/IEC 15444-1 A.5.1),
 * so a frame whose header disagrees with the DICOM attributes is rejected before the codec
 * allocates for it. Accepts a raw codestream or one inside JP2 boxes.
 */
export interface J2kSize {
  width: number;
  height: number;
  components: number;
}

export function readJ2kSize(b: Uint8Array): J2kSize | undefined {
  // A raw codestream starts with SOC (FF4F) SIZ (FF51); in a JP2 file it sits in the jp2c box.
  const limit = Math.min(b.length - 4, 4096);
  for (let i = 0; i <= limit; i++) {
    if (b[i] === 0xff && b[i + 1] === 0x4f && b[i + 2] === 0xff && b[i + 3] === 0x51) {
      const s = i + 4;
      if (s + 38 > b.length) return undefined;
      const v = new DataView(b.buffer, b.byteOffset + s, 38);
      return {
        width: v.getUint32(4) - v.getUint32(12),
        height: v.getUint32(8) - v.getUint32(16),
        components: v.getUint16(36),
      };
    }
  }
  return undefined;
}
