/**
 * Base64 (RFC 4648 §4) for image chunks, which travel inside JSON because the MQTT port carries
 * text. XS keeps strings as UTF-8, so `charCodeAt(i)` walks from the start each time and a
 * character loop over a chunk is quadratic; the text is turned into bytes once, natively
 * (text-bytes.ts), and decoded from those into the caller's buffer.
 */
import { textBytes } from "./text-bytes";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const CODES = new Uint8Array(64);
const VALUES = new Int16Array(256).fill(-1);
for (let i = 0; i < 64; i++) {
  CODES[i] = ALPHABET.charCodeAt(i);
  VALUES[CODES[i]] = i;
}
const PAD = 61; // "="

/** Decodes `text` into `out` from index 0; returns the number of bytes written. Throws on anything not canonical base64. */
export function decodeBase64Into(text: string, out: Uint8Array): number {
  const chars = textBytes(text);
  const length = chars.length;
  if (length % 4 !== 0) throw new RangeError("base64 length must be a multiple of 4");
  let padding = 0;
  if (length > 0 && chars[length - 1] === PAD) padding = chars[length - 2] === PAD ? 2 : 1;
  const byteLength = (length / 4) * 3 - padding;
  if (byteLength > out.length) throw new RangeError(`base64 holds ${byteLength} bytes; the buffer has room for ${out.length}`);
  let written = 0;
  for (let i = 0; i < length; i += 4) {
    const last = i + 4 === length;
    const a = sextet(chars, i);
    const b = sextet(chars, i + 1);
    const c = last && padding === 2 ? 0 : sextet(chars, i + 2);
    const d = last && padding >= 1 ? 0 : sextet(chars, i + 3);
    const triple = (a << 18) | (b << 12) | (c << 6) | d;
    out[written++] = triple >> 16;
    if (written < byteLength) out[written++] = (triple >> 8) & 0xff;
    if (written < byteLength) out[written++] = triple & 0xff;
  }
  return byteLength;
}

function sextet(chars: Uint8Array, index: number): number {
  const value = VALUES[chars[index]];
  if (value < 0) throw new RangeError(`byte ${chars[index]} at ${index} is not a base64 character`);
  return value;
}

/** Base64 of `length` bytes at `offset`, as ASCII codes (the caller makes a string of them if it needs one). */
export function encodeBase64(bytes: Uint8Array, offset = 0, length = bytes.length - offset): Uint8Array {
  const chars = new Uint8Array(Math.ceil(length / 3) * 4);
  const end = offset + length;
  let at = 0;
  for (let i = offset; i < end; i += 3) {
    const remaining = end - i;
    const triple = (bytes[i] << 16) | (remaining > 1 ? bytes[i + 1] << 8 : 0) | (remaining > 2 ? bytes[i + 2] : 0);
    chars[at++] = CODES[triple >> 18];
    chars[at++] = CODES[(triple >> 12) & 63];
    chars[at++] = remaining > 1 ? CODES[(triple >> 6) & 63] : PAD;
    chars[at++] = remaining > 2 ? CODES[triple & 63] : PAD;
  }
  return chars;
}
