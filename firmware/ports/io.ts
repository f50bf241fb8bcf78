/**
 * The ECMA-419 IO surface the firmware uses, narrowed to what it calls. The ESP32 platform
 * passes Moddable's own `embedded:io/*` classes, which satisfy these shapes; the simulator
 * passes classes of the same shape whose values the host sets.
 */
/** A GPIO number, as the board definition gives it. */
export type PinSpecifier = number;

export interface AnalogInput {
  /** Bits per reading: `read()` returns 0 … 2^resolution − 1. */
  readonly resolution: number;
  read(): number;
  close(): void;
}

export interface AnalogConstructor {
  new (options: { pin: PinSpecifier }): AnalogInput;
}

export interface DigitalPort {
  read(): number;
  write(value: 0 | 1): void;
  close(): void;
}

/** Modes are read from the class (`Digital.Output`), never written as literals. */
export interface DigitalConstructor {
  new (options: { pin: PinSpecifier; mode: number }): DigitalPort;
  readonly Input: number;
  readonly InputPullUp: number;
  readonly Output: number;
}

/** A UART used to send only (a voice module, a serial display): ECMA-419 `Serial` in buffer format. */
export interface SerialOutput {
  write(data: Uint8Array): void;
  close(): void;
}

export interface SerialConstructor {
  new (options: { transmit: PinSpecifier; port: number; baud: number; format: "buffer" }): SerialOutput;
}

/** Like Moddable's `device` provider: IO classes plus the board's named pins. */
export interface Device {
  io: {
    Analog: AnalogConstructor;
    Digital: DigitalConstructor;
    Serial: SerialConstructor;
  };
  pin: Record<string, PinSpecifier>;
}
