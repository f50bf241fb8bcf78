import type { DigitalConstructor, DigitalPort, PinSpecifier } from "../ports/io";

/**
 * The alarm output of a stand-alone photoelectric smoke IC, where the chamber has one: an
 * open-drain line pulled low while the IC alarms, read through an input with the pull-up on.
 */
export class SmokeAlarmInput {
  #port: DigitalPort;

  constructor(options: { io: DigitalConstructor; pin: PinSpecifier }) {
    this.#port = new options.io({ pin: options.pin, mode: options.io.InputPullUp });
  }

  /** True while the IC signals an alarm (line low). */
  active(): boolean {
    return this.#port.read() === 0;
  }

  close(): void {
    this.#port.close();
  }
}
