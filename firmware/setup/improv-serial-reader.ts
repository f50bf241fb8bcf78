import { IMPROV_VERSION, SERIAL_HEADER_BYTES, SERIAL_MAGIC, checksum } from "./improv-protocol";

export interface SerialPacket {
  type: number;
  data: Uint8Array;
}

/** What one byte completed: nothing yet, a packet, or a packet that failed its version or checksum. */
export type ReadResult = SerialPacket | "bad-packet" | null;

/** 9 header bytes, at most 255 data bytes and the checksum. */
const MAX_PACKET = SERIAL_HEADER_BYTES + 255 + 1;

/**
 * Finds Improv packets in a serial stream that also carries other text (boot messages, logs):
 * a line that does not start with "IMPROV" is skipped to its newline. One buffer for the node's
 * life; a packet's data is copied out only when it is complete.
 */
export class ImprovSerialReader {
  #buffer = new Uint8Array(MAX_PACKET);
  #length = 0;
  #expected = 0;
  #skipping = false;

  push(byte: number): ReadResult {
    if (this.#skipping) {
      if (byte === 0x0a) this.#skipping = false;
      return null;
    }
    if (this.#expected === 0 && this.#length === 0 && (byte === 0x0a || byte === 0x0d)) return null;
    this.#buffer[this.#length++] = byte;
    if (this.#expected === 0) {
      if (this.#length <= SERIAL_MAGIC.length && byte !== SERIAL_MAGIC[this.#length - 1]) {
        this.#length = 0;
        this.#skipping = byte !== 0x0a;
        return null;
      }
      if (this.#length === SERIAL_HEADER_BYTES) this.#expected = SERIAL_HEADER_BYTES + this.#buffer[8] + 1;
      return null;
    }
    if (this.#length < this.#expected) return null;
    const end = this.#expected - 1;
    const good = this.#buffer[6] === IMPROV_VERSION && checksum(this.#buffer, 0, end) === this.#buffer[end];
    const packet: ReadResult = good ? { type: this.#buffer[7], data: this.#buffer.slice(SERIAL_HEADER_BYTES, end) } : "bad-packet";
    this.#length = 0;
    this.#expected = 0;
    return packet;
  }
}
