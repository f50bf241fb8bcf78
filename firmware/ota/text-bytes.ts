/**
 * The UTF-8 bytes of a string, made natively in one pass. XS keeps strings as UTF-8 and finds
 * the i-th character by walking from the start, so a `charCodeAt` loop over a 2.7 KB chunk is
 * quadratic. A Moddable build has the XS built-in `ArrayBuffer.fromString`; xsnap (the XS the
 * simulator runs) is built without it but has the WHATWG TextEncoder. Which exists is a property
 * of the engine build, not of the hardware, so it is looked up once here rather than passed in.
 */
type Encoder = { encode(text: string): Uint8Array };

const engine = globalThis as unknown as {
  ArrayBuffer: { fromString?: (text: string) => ArrayBuffer };
  TextEncoder?: new () => Encoder;
};
let encoder: Encoder | undefined;

export function textBytes(text: string): Uint8Array {
  // Called on ArrayBuffer, never detached: XS builds the result with `new this(length)`
  // (xsDataView.c, fx_ArrayBuffer_fromString), so without a receiver it throws "not a constructor".
  if (engine.ArrayBuffer.fromString) return new Uint8Array(engine.ArrayBuffer.fromString(text));
  if (!encoder) {
    if (!engine.TextEncoder) throw new Error("this XS build has neither ArrayBuffer.fromString nor TextEncoder");
    encoder = new engine.TextEncoder();
  }
  return encoder.encode(text);
}

type Decoder = { decode(bytes: Uint8Array): string };
const strings = String as unknown as { fromArrayBuffer?: (buffer: ArrayBuffer) => string };
const decoders = globalThis as unknown as { TextDecoder?: new () => Decoder };
let decoder: Decoder | undefined;

/** The string of UTF-8 bytes: `String.fromArrayBuffer` on a Moddable build, TextDecoder in xsnap (see above). */
export function bytesText(bytes: Uint8Array): string {
  if (strings.fromArrayBuffer) return strings.fromArrayBuffer(bytes.slice().buffer as ArrayBuffer);
  if (!decoder) {
    if (!decoders.TextDecoder) throw new Error("this XS build has neither String.fromArrayBuffer nor TextDecoder");
    decoder = new decoders.TextDecoder();
  }
  return decoder.decode(bytes);
}
