import FFI from "mc/ffi";
import type { AnalogInput, BackgroundAnalogInput, PinSpecifier } from "../../ports/io";

const native = new FFI();

/** Claims `pin`'s ADC1 channel in the native continuous sampler (native/adc-sampler.c); its slot. */
function open(pin: PinSpecifier): number {
  const slot = native.sw_adc_open(pin);
  if (slot < 0) throw new Error(`GPIO${pin}: background ADC sampling refused (${slot === -1 ? "not an ADC1 pin" : `esp_err_t ${-slot}`})`);
  return slot;
}

/**
 * An ADC1 pin converted in the background by the ESP32's continuous ADC mode (DMA), summed in
 * C; `take` copies the sums since the last take. No CPU is spent per conversion in JavaScript,
 * and none waiting: the mains burst that held the CPU 40 ms a second is gone.
 */
export class ContinuousAnalog implements BackgroundAnalogInput {
  readonly resolution = 12;
  #slot: number;
  #sums = new Float64Array(4);

  constructor(options: { pin: PinSpecifier }) {
    this.#slot = open(options.pin);
  }

  take(sums: Float64Array, offset: number): number {
    const own = this.#sums;
    const count = native.sw_adc_take(this.#slot, own.buffer as ArrayBuffer);
    sums[offset] = own[0];
    sums[offset + 1] = own[1];
    sums[offset + 2] = own[2];
    sums[offset + 3] = own[3];
    return count < 0 ? 0 : count;
  }

  close(): void {
    native.sw_adc_close(this.#slot);
  }
}

/**
 * The platform's `Analog` for every node kind: one ADC unit runs in one mode at a time, so once
 * the continuous sampler owns ADC1, a one-shot read on it would fail. `read()` is the mean of the
 * conversions since the previous read (thousands of them at 1 Hz: an oversampled, quieter reading
 * than a one-shot), in the counts Moddable's calibrated Analog gives; the last mean again if none
 * arrived.
 */
export class SampledAnalog implements AnalogInput {
  readonly resolution = 12;
  #input: ContinuousAnalog;
  #sums = new Float64Array(4);
  #last = 0;

  constructor(options: { pin: PinSpecifier }) {
    this.#input = new ContinuousAnalog(options);
  }

  read(): number {
    const sums = this.#sums;
    const count = this.#input.take(sums, 0);
    if (count > 0) this.#last = Math.round(sums[1] / count);
    return this.#last;
  }

  close(): void {
    this.#input.close();
  }
}
