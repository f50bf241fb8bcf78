/// <reference path="./xs-globals.d.ts" />
/** Installs a JSON request/answer handler in XS for a test scenario. */
export function serveScenario(handler: (request: any) => unknown): void {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  globalThis.handleCommand = (bytes: ArrayBuffer): ArrayBuffer => {
    let answer: unknown;
    try {
      answer = handler(JSON.parse(decoder.decode(bytes)));
    } catch (error) {
      answer = { thrown: String(error) };
    }
    return encoder.encode(JSON.stringify(answer ?? null)).buffer as ArrayBuffer;
  };
}
