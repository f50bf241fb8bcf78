/// <reference path="./xsnap-globals.d.ts" />
import type { OutputDrive } from "../../actuators/held-output";
import type { Clock, TimerHandle, Timers } from "../../ports/clock";
import type { PinSpecifier } from "../../ports/io";
import type { SimPins } from "./sim-io";

/**
 * The circuits outside the chip, simulated: what the host reads to know whether the elevator is
 * really held, what the voice module is playing, what the display shows. They see only what the
 * firmware writes to pins and UARTs, with the virtual clock's time, as the real parts would.
 */

/**
 * A load behind its drive stage. `pulse`: a retriggerable monostable (74HC123) that holds the load
 * for `holdMs` after each rising edge on the pin; `level`: the pin drives the load directly.
 */
export class SimHeldLoad {
  #clock: Clock;
  #drive: OutputDrive;
  #level = 0;
  #lastTriggerMs = -Infinity;

  constructor(pins: SimPins, pin: PinSpecifier, clock: Clock, drive: OutputDrive) {
    this.#clock = clock;
    this.#drive = drive;
    pins.onWrite(pin, (value) => {
      const level = value ? 1 : 0;
      if (level === 1 && this.#level === 0) this.#lastTriggerMs = clock.now();
      this.#level = level;
    });
  }

  get on(): boolean {
    if (this.#drive.drive === "level") return this.#level === this.#drive.activeLevel;
    return this.#clock.now() - this.#lastTriggerMs < this.#drive.holdMs;
  }
}

export interface VoiceModuleState {
  /** The file last asked to play, or null after a stop (or before any play). */
  track: number | null;
  plays: number;
  stops: number;
  volume: number | null;
  /** Frames with a bad length, marker or checksum: the real module would ignore them. */
  badFrames: number;
}

/** A DFPlayer Mini on a UART: decodes the 10-byte frames the firmware sends and checks each checksum. */
export class SimVoiceModule {
  readonly state: VoiceModuleState = { track: null, plays: 0, stops: 0, volume: null, badFrames: 0 };

  constructor(pins: SimPins, transmit: PinSpecifier) {
    pins.onTransmit(transmit, (bytes) => this.#frame(bytes));
  }

  #frame(bytes: Uint8Array): void {
    const state = this.state;
    if (bytes.length !== 10 || bytes[0] !== 0x7e || bytes[1] !== 0xff || bytes[2] !== 0x06 || bytes[9] !== 0xef) {
      state.badFrames++;
      return;
    }
    let sum = 0;
    for (let i = 1; i <= 6; i++) sum += bytes[i];
    if (((sum + ((bytes[7] << 8) | bytes[8])) & 0xffff) !== 0) {
      state.badFrames++;
      return;
    }
    const parameter = (bytes[5] << 8) | bytes[6];
    if (bytes[3] === 0x03) {
      state.track = parameter;
      state.plays++;
    } else if (bytes[3] === 0x16) {
      state.track = null;
      state.stops++;
    } else if (bytes[3] === 0x06) {
      state.volume = parameter;
    }
  }
}

/** A Nextion display on a UART: keeps the text of the last `<component>.txt="…"` instruction. */
export class SimDisplay {
  text: string | null = null;
  updates = 0;
  #decoder = new TextDecoder();

  constructor(pins: SimPins, transmit: PinSpecifier) {
    pins.onTransmit(transmit, (bytes) => {
      const n = bytes.length;
      if (n < 4 || bytes[n - 1] !== 0xff || bytes[n - 2] !== 0xff || bytes[n - 3] !== 0xff) return;
      const instruction = this.#decoder.decode(bytes.slice(0, n - 3));
      const match = /^[A-Za-z][A-Za-z0-9_]*\.txt="(.*)"$/.exec(instruction);
      if (!match) return;
      this.text = match[1];
      this.updates++;
    });
  }
}

/** A peripheral's heartbeat: toggles `pin` every `halfPeriodMs` of virtual time, until stopped. */
export class SimPulseGenerator {
  #timers: Timers;
  #timer: TimerHandle;

  constructor(pins: SimPins, pin: PinSpecifier, timers: Timers, halfPeriodMs: number) {
    this.#timers = timers;
    this.#timer = timers.repeat(() => pins.set(pin, pins.get(pin) ? 0 : 1), halfPeriodMs);
  }

  stop(): void {
    this.#timers.clear(this.#timer);
  }
}
