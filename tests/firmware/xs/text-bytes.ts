import { bytesText, textBytes } from "../../../firmware/ota/text-bytes";
import { serveScenario } from "./scenario";

/**
 * `ArrayBuffer.fromString` and `String.fromArrayBuffer` as a Moddable build of XS has them
 * (xsDataView.c, xsString.c), which xsnap lacks: `fromString` constructs its result through its
 * receiver (`new this(length)`), so it works only when called on ArrayBuffer.
 */
function installModdableBuiltIns(): void {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  Object.defineProperty(ArrayBuffer, "fromString", {
    configurable: true,
    value: function fromString(this: new (length: number) => ArrayBuffer, text: string): ArrayBuffer {
      const bytes = encoder.encode(text);
      const result = new this(bytes.length);
      new Uint8Array(result).set(bytes);
      return result;
    },
  });
  Object.defineProperty(String, "fromArrayBuffer", { configurable: true, value: (buffer: ArrayBuffer) => decoder.decode(new Uint8Array(buffer)) });
}

serveScenario((request: { text: string }) => {
  const before = Array.from(textBytes(request.text));
  installModdableBuiltIns();
  const bytes = textBytes(request.text);
  return { before, moddable: Array.from(bytes), back: bytesText(bytes) };
});
