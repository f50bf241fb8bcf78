/**
 * Hex and byte helpers for the OTA code. Strings become bytes natively (text-bytes.ts) rather
 * than through `charCodeAt` loops, which are quadratic on XS's UTF-8 strings.
 */
import { textBytes } from "./text-bytes";

const HEX_DIGITS = "0123456789abcdef";

export function isHex(text: unknown, byteLength: number): text is string {
  return typeof text === "string" && text.length === byteLength * 2 && /^[0-9a-f]*$/.test(text);
}

export function hexToBytes(hex: string): Uint8Array {
  const digits = textBytes(hex);
  if (digits.length % 2 !== 0) throw new RangeError("hex must have an even number of digits");
  const bytes = new Uint8Array(digits.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (nibble(digits, 2 * i) << 4) | nibble(digits, 2 * i + 1);
  return bytes;
}

function nibble(digits: Uint8Array, index: number): number {
  const code = digits[index];
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  throw new RangeError(`byte ${code} at ${index} is not a hex digit`);
}

export function bytesToHex(bytes: Uint8Array): string {
  let hex = "";
  for (let i = 0; i < bytes.length; i++) hex += HEX_DIGITS[bytes[i] >> 4] + HEX_DIGITS[bytes[i] & 15];
  return hex;
}

/** ASCII only: the OTA texts that get hashed or signed are ASCII by construction (shared/ota.ts). */
export function asciiBytes(text: string): Uint8Array {
  const bytes = textBytes(text);
  for (let i = 0; i < bytes.length; i++) if (bytes[i] > 0x7e) throw new RangeError("text to sign must be ASCII");
  return bytes;
}

/** Compares without an early exit, so the time taken says nothing about where two digests differ. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i] ^ b[i];
  return difference === 0;
}
