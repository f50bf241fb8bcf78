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

/**
 * An analog input converted in the background: the conversions run without the CPU (on the
 * ESP32, the ADC's continuous mode feeding DMA, summed by a native task; in the simulator, on the
 * virtual clock), and `take` hands over what arrived since the last take as four sums, so the
 * JavaScript side spends a few operations per interval instead of one per conversion.
 */
export interface BackgroundAnalogInput {
  /** Bits per conversion: counts are 0 … 2^resolution − 1, scaled as `AnalogInput.read` scales them. */
  readonly resolution: number;
  /**
   * Writes into `sums` at `offset` … `offset + 3`: the conversions since the last take, the sum
   * of their counts, the sum of their squares, and how many sat at either end of the range; then
   * starts the next sums. Returns the number of conversions (0 when none arrived).
   */
  take(sums: Float64Array, offset: number): number;
  close(): void;
}

export interface BackgroundAnalogConstructor {
  new (options: { pin: PinSpecifier }): BackgroundAnalogInput;
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

/**
 * An ECMA-419 I2C controller bound to one target address (`embedded:io/i2c`). Reads fill a
 * caller's buffer, so a driver that keeps its buffers allocates nothing per transaction. A target
 * that does not acknowledge makes `read`/`write` throw.
 */
export interface I2cPort {
  write(buffer: Uint8Array, stop?: boolean): void;
  read(buffer: Uint8Array, stop?: boolean): unknown;
  close(): void;
}

export interface I2cOptions {
  data: PinSpecifier;
  clock: PinSpecifier;
  hz: number;
  address: number;
  port?: number;
}

export interface I2cConstructor {
  new (options: I2cOptions): I2cPort;
}

/** A UART used to send only (a voice module, a serial display): ECMA-419 `Serial` in buffer format. */
export interface SerialOutput {
  write(data: Uint8Array): void;
  close(): void;
}

export interface SerialConstructor {
  new (options: { transmit: PinSpecifier; port: number; baud: number; format: "buffer" }): SerialOutput;
}

/** Like Moddable's `device` provider: IO classes, the board's default I2C bus and its named pins. */
export interface Device {
  io: {
    Analog: AnalogConstructor;
    Digital: DigitalConstructor;
    I2C: I2cConstructor;
    Serial: SerialConstructor;
    /** Background conversion for mains waveforms (CT, residual current); absent where the platform has none. */
    BackgroundAnalog?: BackgroundAnalogConstructor;
  };
  /** The board's I2C bus, as Moddable's provider gives it (`device.I2C.default`); absent on boards without one. */
  I2C?: { default: { io: I2cConstructor; data: PinSpecifier; clock: PinSpecifier; port?: number } };
  pin: Record<string, PinSpecifier>;
}
