/** Globals of the xsnap-worker XS machine that the simulated platform talks through. */
declare function issueCommand(request: ArrayBuffer): ArrayBuffer;
declare function print(...values: unknown[]): void;
// eslint-disable-next-line no-var
declare var handleCommand: (request: ArrayBuffer) => ArrayBuffer;

/** xsnap-worker provides the WHATWG text codecs (UTF-8 only); so does a Moddable build with `text/*`. */
declare class TextEncoder {
  encode(input: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input: ArrayBuffer | Uint8Array): string;
}
