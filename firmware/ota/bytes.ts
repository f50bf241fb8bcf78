/** Hex and byte helpers shared by the OTA code. Hex is lowercase, two digits a byte. */
const HEX_DIGITS = "0123456789abcdef";

export function isHex(text: unknown, byteLength: number): text is string {
  return typeof text === "string" && text.length === byteLength * 2 && /^[0-9a-f]*$/.test(text);
}

export function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new RangeError("not an even-length hex string");
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

export function bytesToHex(bytes: Uint8Array): string {
  let hex = "";
  for (let i = 0; i < bytes.length; i++) hex += HEX_DIGITS[bytes[i] >> 4] + HEX_DIGITS[bytes[i] & 15];
  return hex;
}

/** ASCII only: the OTA texts that get hashed or signed are ASCII by construction (shared/ota.ts). */
export function asciiBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7e) throw new RangeError("text to sign must be ASCII");
    bytes[i] = code;
  }
  return bytes;
}

/** Compares without an early exit, so the time taken says nothing about where two digests differ. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i] ^ b[i];
  return difference === 0;
}
