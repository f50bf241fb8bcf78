import Serial from "embedded:io/serial";
import type { ImprovSerialTransport } from "../../setup/improv-serial";

/** UART0: on the DevKitC boards it is the USB bridge ESP Web Tools opens after flashing. */
const PORT = 0;
const TRANSMIT = 1;
const RECEIVE = 3;
const BAUD = 115_200;

/**
 * Improv over the board's USB serial port. What arrives goes to the transport; its packets are
 * written back, in pieces when the UART's buffer is full (ECMA-419 `onWritable`). Unverified on a
 * device: no ESP-IDF here.
 */
export function openImprovUart(attach: (write: (bytes: Uint8Array) => void) => ImprovSerialTransport): () => void {
  const pending: Uint8Array[] = [];
  let room = 0;
  let transport: ImprovSerialTransport | undefined;
  const serial = new Serial({
    port: PORT,
    transmit: TRANSMIT,
    receive: RECEIVE,
    baud: BAUD,
    format: "buffer",
    onReadable(bytes) {
      const data = this.read(bytes);
      if (data instanceof ArrayBuffer) transport?.receive(new Uint8Array(data));
    },
    onWritable(bytes) {
      room = bytes;
      drain();
    },
  });
  const drain = () => {
    while (pending.length > 0 && room > 0) {
      const head = pending[0];
      const piece = head.length <= room ? head : head.subarray(0, room);
      serial.write(piece);
      room -= piece.length;
      if (piece.length === head.length) pending.shift();
      else pending[0] = head.subarray(piece.length);
    }
  };
  transport = attach((bytes) => {
    pending.push(bytes);
    drain();
  });
  return () => serial.close();
}
