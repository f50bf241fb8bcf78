import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";

export const MAX_PHOTO_BYTES = 5 * 1024 * 1024;

export interface PhotoType {
  mime: "image/jpeg" | "image/png" | "image/webp";
  ext: "jpg" | "png" | "webp";
}

/**
 * The image type by its first bytes, never by the name or Content-Type the client sent:
 * JPEG starts FF D8 FF (JFIF/Exif SOI marker), PNG with its 8-byte signature (PNG spec §5.2),
 * WebP with "RIFF" <size> "WEBP" (RFC 9649 §2.5).
 */
export function detectPhotoType(bytes: Uint8Array): PhotoType | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return { mime: "image/jpeg", ext: "jpg" };
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= 8 && png.every((b, i) => bytes[i] === b)) return { mime: "image/png", ext: "png" };
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes.length >= 12 && ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP") return { mime: "image/webp", ext: "webp" };
  return null;
}

/**
 * Writes a photo under `<dataDir>/reports/` with a name made here (a random UUID), readable by
 * the cloud's user only. The client's file name never touches the file system.
 */
export async function storePhoto(dataDir: string, bytes: Uint8Array, type: PhotoType): Promise<string> {
  const dir = join(dataDir, "reports");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = `${randomUUID()}.${type.ext}`;
  await writeFile(join(dir, file), bytes, { mode: 0o600, flag: "wx" });
  return file;
}

/** Longest side kept: a phone sends about 1600 px; a camera's full frame is shrunk to this. */
const MAX_SIDE_PX = 2048;
const JPEG = { mime: "image/jpeg", ext: "jpg" } as const satisfies PhotoType;

/**
 * The photo as the cloud keeps it: decoded and encoded again as a JPEG, turned upright by its EXIF
 * orientation first, with every piece of metadata dropped (sharp keeps none unless asked), so no
 * GPS position, camera serial or embedded thumbnail of the original survives. Decoding also means
 * a file that only starts like an image is refused. sharp (libvips) works off the event loop.
 */
export async function cleanPhoto(bytes: Uint8Array): Promise<{ bytes: Uint8Array; type: PhotoType } | null> {
  try {
    const output = await sharp(bytes, { failOn: "error", limitInputPixels: 50_000_000 })
      .rotate()
      .resize({ width: MAX_SIDE_PX, height: MAX_SIDE_PX, fit: "inside", withoutEnlargement: true })
      .jpeg({ quality: 85 })
      .toBuffer();
    return { bytes: new Uint8Array(output), type: JPEG };
  } catch {
    return null;
  }
}
