/**
 * The ECMA-419 IO surface the firmware uses, narrowed to what it calls. The ESP32 platform
 * passes Moddable's own `embedded:io/*` classes, which satisfy these shapes; the simulator
 * passes classes of the same shape whose values the host sets.
 */
export type PinSpecifier = number | string;

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
  write(value: number): void;
  close(): void;
}

export interface DigitalConstructor {
  new (options: { pin: PinSpecifier; mode: number }): DigitalPort;
  readonly Input: number;
  readonly InputPullUp: number;
  readonly Output: number;
}

/** Like Moddable's `device` provider: IO classes plus the board's named pins. */
export interface Device {
  io: {
    Analog: AnalogConstructor;
    Digital: DigitalConstructor;
  };
  pin: Record<string, PinSpecifier>;
}
