import type { AnalogInput, Device, DigitalPort, PinSpecifier } from "../../ports/io";

/** Pin levels the host sets; simulated IO objects read them, as real ones read the hardware. */
export class SimPins {
  readonly values = new Map<PinSpecifier, number>();

  set(pin: PinSpecifier, value: number): void {
    this.values.set(pin, value);
  }

  get(pin: PinSpecifier): number {
    return this.values.get(pin) ?? 0;
  }
}

/** Builds a `device` provider whose Analog and Digital classes read and write `pins`. */
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
      if (!pins.values.has(this.#pin)) return this.#pulledUp ? 1 : 0;
      return pins.get(this.#pin) ? 1 : 0;
    }
    write(value: 0 | 1): void {
      pins.set(this.#pin, value);
    }
    close(): void {}
  }

  return { io: { Analog: SimAnalog, Digital: SimDigital }, pin: pinMap };
}
