/**
 * Base64 (RFC 4648 §4) for image chunks, which travel inside JSON because the MQTT port carries
 * text. Decoding writes into a caller's buffer, so a download allocates no byte arrays per chunk.
 */
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const VALUES = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i;

/** Decodes `text` into `out` from index 0; returns the number of bytes written. Throws on anything not canonical base64. */
export function decodeBase64Into(text: string, out: Uint8Array): number {
  if (text.length % 4 !== 0) throw new RangeError("base64 length must be a multiple of 4");
  let padding = 0;
  if (text.length > 0 && text.charCodeAt(text.length - 1) === 61) padding = text.charCodeAt(text.length - 2) === 61 ? 2 : 1;
  const byteLength = (text.length / 4) * 3 - padding;
  if (byteLength > out.length) throw new RangeError(`base64 holds ${byteLength} bytes; the buffer has room for ${out.length}`);
  let written = 0;
  for (let i = 0; i < text.length; i += 4) {
    const last = i + 4 === text.length;
    const a = sextet(text, i);
    const b = sextet(text, i + 1);
    const c = last && padding === 2 ? 0 : sextet(text, i + 2);
    const d = last && padding >= 1 ? 0 : sextet(text, i + 3);
    const triple = (a << 18) | (b << 12) | (c << 6) | d;
    out[written++] = triple >> 16;
    if (written < byteLength) out[written++] = (triple >> 8) & 0xff;
    if (written < byteLength) out[written++] = triple & 0xff;
  }
  return byteLength;
}

function sextet(text: string, index: number): number {
  const code = text.charCodeAt(index);
  const value = code < 128 ? VALUES[code] : -1;
  if (value < 0) throw new RangeError(`"${text[index]}" at ${index} is not a base64 character`);
  return value;
}

export function encodeBase64(bytes: Uint8Array, offset = 0, length = bytes.length - offset): string {
  let text = "";
  const end = offset + length;
  for (let i = offset; i < end; i += 3) {
    const remaining = end - i;
    const triple = (bytes[i] << 16) | (remaining > 1 ? bytes[i + 1] << 8 : 0) | (remaining > 2 ? bytes[i + 2] : 0);
    text += ALPHABET[triple >> 18] + ALPHABET[(triple >> 12) & 63];
    text += remaining > 1 ? ALPHABET[(triple >> 6) & 63] : "=";
    text += remaining > 2 ? ALPHABET[triple & 63] : "=";
  }
  return text;
}
