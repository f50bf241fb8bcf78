import type { PinSpecifier, SerialConstructor, SerialOutput } from "../ports/io";

/**
 * DFRobot DFPlayer Mini (DFR0299), an MP3 module that plays numbered files from a microSD card,
 * driven over its UART at 9600 baud, 8N1. Every command is a 10-byte frame:
 * 7E FF 06 <cmd> <feedback> <param hi> <param lo> <checksum hi> <checksum lo> EF,
 * where the checksum is the 16-bit two's complement of the sum of bytes 1–6 (the algorithm of
 * DFRobot's own Arduino library; the datasheet's example frames carry wrong checksums).
 * The frame buffer is preallocated; sending allocates nothing.
 */
export const DFPLAYER_BAUD = 9600;
export const DFPLAYER_PLAY_TRACK = 0x03;
export const DFPLAYER_SET_VOLUME = 0x06;
export const DFPLAYER_STOP = 0x16;

export class DfPlayerMini {
  #serial: SerialOutput;
  #frame = new Uint8Array(10);

  constructor(options: { io: SerialConstructor; transmit: PinSpecifier; port: number }) {
    this.#serial = new options.io({ transmit: options.transmit, port: options.port, baud: DFPLAYER_BAUD, format: "buffer" });
    const frame = this.#frame;
    frame[0] = 0x7e;
    frame[1] = 0xff;
    frame[2] = 0x06;
    frame[4] = 0x00; // no feedback: the node does not read the module's replies
    frame[9] = 0xef;
  }

  /** Plays file `track` (1–2999) of the card's root once. */
  play(track: number): void {
    this.#send(DFPLAYER_PLAY_TRACK, track);
  }

  stop(): void {
    this.#send(DFPLAYER_STOP, 0);
  }

  /** 0–30. */
  volume(level: number): void {
    this.#send(DFPLAYER_SET_VOLUME, level < 0 ? 0 : level > 30 ? 30 : level);
  }

  close(): void {
    this.#serial.close();
  }

  #send(command: number, parameter: number): void {
    const frame = this.#frame;
    frame[3] = command;
    frame[5] = (parameter >> 8) & 0xff;
    frame[6] = parameter & 0xff;
    const checksum = -(frame[1] + frame[2] + frame[3] + frame[4] + frame[5] + frame[6]) & 0xffff;
    frame[7] = checksum >> 8;
    frame[8] = checksum & 0xff;
    this.#serial.write(frame);
  }
}
