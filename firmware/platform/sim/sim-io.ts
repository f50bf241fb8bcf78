import type { AnalogInput, Device, DigitalPort, PinSpecifier, SerialOutput } from "../../ports/io";

type WriteListener = (value: number) => void;
type SerialListener = (bytes: Uint8Array) => void;

/**
 * Pin levels the host sets; simulated IO objects read them, as real ones read the hardware.
 * Simulated circuits outside the chip (a relay's monostable, a voice module) listen to what the
 * firmware writes, and may drive an input pin themselves (`drive`), like a relay's sense contact.
 */
export class SimPins {
  readonly values = new Map<PinSpecifier, number>();
  #writeListeners = new Map<PinSpecifier, WriteListener>();
  #serialListeners = new Map<PinSpecifier, SerialListener>();
  #drivers = new Map<PinSpecifier, () => number>();

  set(pin: PinSpecifier, value: number): void {
    this.#drivers.delete(pin);
    this.values.set(pin, value);
  }

  /** Whether anything sets this pin's level: the host, the firmware, or a circuit that drives it. */
  driven(pin: PinSpecifier): boolean {
    return this.values.has(pin) || this.#drivers.has(pin);
  }

  get(pin: PinSpecifier): number {
    const driver = this.#drivers.get(pin);
    return driver ? driver() : (this.values.get(pin) ?? 0);
  }

  /** The firmware wrote `value` to an output pin. */
  written(pin: PinSpecifier, value: number): void {
    this.values.set(pin, value);
    this.#writeListeners.get(pin)?.(value);
  }

  /** The firmware sent bytes on a UART whose TX is `pin`. */
  transmitted(pin: PinSpecifier, bytes: Uint8Array): void {
    this.#serialListeners.get(pin)?.(bytes);
  }

  onWrite(pin: PinSpecifier, listener: WriteListener): void {
    this.#writeListeners.set(pin, listener);
  }

  onTransmit(pin: PinSpecifier, listener: SerialListener): void {
    this.#serialListeners.set(pin, listener);
  }

  /** An external circuit drives this input; until the host sets the pin itself, which overrides it. */
  drive(pin: PinSpecifier, level: () => number): void {
    this.#drivers.set(pin, level);
  }
}

/** Builds a `device` provider whose Analog, Digital and Serial classes read and write `pins`. */
export function simDevice(pins: SimPins, pinMap: Record<string, PinSpecifier>, adcResolution = 12): Device {
  const maxCount = 2 ** adcResolution - 1;

  class SimAnalog implements AnalogInput {
    readonly resolution = adcResolution;
    #pin: PinSpecifier;
    constructor(options: { pin: PinSpecifier }) {
      this.#pin = options.pin;
    }
    read(): number {
      const value = Math.round(pins.get(this.#pin));
      return value < 0 ? 0 : value > maxCount ? maxCount : value;
    }
    close(): void {}
  }

  class SimDigital implements DigitalPort {
    static readonly Input = 0;
    static readonly InputPullUp = 1;
    static readonly Output = 8;
    #pin: PinSpecifier;
    #pulledUp: boolean;
    constructor(options: { pin: PinSpecifier; mode: number }) {
      this.#pin = options.pin;
      this.#pulledUp = options.mode === SimDigital.InputPullUp;
    }
    read(): number {
      // A pin nothing drives reads as its pull leaves it: high with a pull-up, as on the chip.
      if (!pins.driven(this.#pin)) return this.#pulledUp ? 1 : 0;
      return pins.get(this.#pin) ? 1 : 0;
    }
    write(value: 0 | 1): void {
      pins.written(this.#pin, value);
    }
    close(): void {}
  }

  class SimSerial implements SerialOutput {
    #transmit: PinSpecifier;
    constructor(options: { transmit: PinSpecifier; port: number; baud: number; format: "buffer" }) {
      if (options.format !== "buffer") throw new Error("the simulated Serial supports buffer format only");
      this.#transmit = options.transmit;
    }
    write(data: Uint8Array): void {
      pins.transmitted(this.#transmit, data);
    }
    close(): void {}
  }

  return { io: { Analog: SimAnalog, Digital: SimDigital, Serial: SimSerial }, pin: pinMap };
}
