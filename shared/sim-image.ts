/**
 * The simulator's firmware image format, shared by the simulated bootloader (which boots it)
 * and the cloud (which checks an upload against its release). A real ESP32 app image starts
 * with 0xE9 and carries its version in esp_app_desc_t; a simulated one starts with "SWSI", a
 * little-endian u16 header length, an ASCII JSON header (version, board, kind, and optionally
 * a defect to emulate), and filler up to its size, so a campaign moves as many bytes as a real
 * update would.
 *
 * A defect stands for a build that boots but is broken: "no-connect" never reaches the broker
 * (the host refuses its connections), which is what the rollback must catch.
 */
export const SIM_IMAGE_MAGIC = "SWSI";

export type SimImageDefect = "no-connect";

export interface SimImageHeader {
  version: string;
  board: string;
  kind: string;
  defect?: SimImageDefect;
}

export function buildSimImage(header: SimImageHeader, sizeBytes: number): Uint8Array {
  const json = JSON.stringify(header);
  const start = 6 + json.length;
  if (sizeBytes < start) throw new RangeError(`a simulated image needs at least ${start} bytes`);
  const image = new Uint8Array(sizeBytes);
  writeAscii(image, 0, SIM_IMAGE_MAGIC);
  image[4] = json.length & 0xff;
  image[5] = json.length >> 8;
  writeAscii(image, 6, json);
  // Deterministic filler (xorshift32 seeded by the header), so equal headers give equal images.
  let state = 0x9e3779b9;
  for (let i = 0; i < json.length; i++) state = Math.imul(state ^ json.charCodeAt(i), 0x01000193) >>> 0 || 1;
  for (let i = start; i < sizeBytes; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    image[i] = state & 0xff;
  }
  return image;
}

/** The header of a simulated image, or null when the bytes are not one (the bootloader refuses them). */
export function parseSimImage(image: Uint8Array): SimImageHeader | null {
  if (image.length < 6 || readAscii(image, 0, 4) !== SIM_IMAGE_MAGIC) return null;
  const length = image[4] | (image[5] << 8);
  if (6 + length > image.length) return null;
  try {
    const header = JSON.parse(readAscii(image, 6, length)) as SimImageHeader;
    return typeof header.version === "string" && typeof header.board === "string" && typeof header.kind === "string" ? header : null;
  } catch {
    return null;
  }
}

function writeAscii(bytes: Uint8Array, offset: number, text: string): void {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7e) throw new RangeError("a simulated image header must be ASCII");
    bytes[offset + i] = code;
  }
}

function readAscii(bytes: Uint8Array, offset: number, length: number): string {
  let text = "";
  for (let i = 0; i < length; i++) text += String.fromCharCode(bytes[offset + i]);
  return text;
}
