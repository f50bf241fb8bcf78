import type { PinSpecifier, SerialConstructor, SerialOutput } from "../ports/io";

/**
 * A Nextion (or TJC) HMI serial display, default 9600 baud. The node sets the text of one text
 * component with the instruction `<component>.txt="…"` followed by three 0xFF bytes, as the
 * Nextion Instruction Set specifies. Text goes out as UTF-8: the HMI project's character
 * encoding must be set to utf-8 and its font must hold the characters (Chinese included).
 * The caller has already refused quotes and backslashes (shared/events.ts `displayTextProblem`).
 */
export const NEXTION_BAUD = 9600;
/** The instruction, 64 characters of text at most 3 bytes per UTF-16 unit, the closing quote and 3 × 0xFF fit. */
const MAX_FRAME = 256;

export class NextionDisplay {
  #serial: SerialOutput;
  #component: string;
  #frame = new Uint8Array(MAX_FRAME);

  constructor(options: { io: SerialConstructor; transmit: PinSpecifier; port: number; component?: string }) {
    this.#serial = new options.io({ transmit: options.transmit, port: options.port, baud: NEXTION_BAUD, format: "buffer" });
    this.#component = options.component ?? "t0";
  }

  show(text: string): void {
    const frame = this.#frame;
    let n = writeUtf8(frame, 0, `${this.#component}.txt="`);
    n = writeUtf8(frame, n, text);
    frame[n++] = 0x22;
    frame[n++] = 0xff;
    frame[n++] = 0xff;
    frame[n++] = 0xff;
    this.#serial.write(frame.subarray(0, n));
  }

  close(): void {
    this.#serial.close();
  }
}

/** UTF-8 into `out` from `offset`, stopping at its end; returns the new offset. */
function writeUtf8(out: Uint8Array, offset: number, text: string): number {
  let n = offset;
  for (let i = 0; i < text.length && n < out.length - 4; i++) {
    let code = text.charCodeAt(i);
    if (code >= 0xd800 && code < 0xdc00 && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low < 0xe000) {
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (code < 0x80) out[n++] = code;
    else if (code < 0x800) {
      out[n++] = 0xc0 | (code >> 6);
      out[n++] = 0x80 | (code & 0x3f);
    } else if (code < 0x10000) {
      out[n++] = 0xe0 | (code >> 12);
      out[n++] = 0x80 | ((code >> 6) & 0x3f);
      out[n++] = 0x80 | (code & 0x3f);
    } else {
      out[n++] = 0xf0 | (code >> 18);
      out[n++] = 0x80 | ((code >> 12) & 0x3f);
      out[n++] = 0x80 | ((code >> 6) & 0x3f);
      out[n++] = 0x80 | (code & 0x3f);
    }
  }
  return n;
}
