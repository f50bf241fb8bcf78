import type { AcChannelCalibration } from "../calibration";
import { FAULT_NONE, FAULT_OUT_OF_RANGE } from "../faults";
import type { MicrosecondClock } from "../ports/clock";
import type { AnalogConstructor, AnalogInput, PinSpecifier } from "../ports/io";

/**
 * True RMS of a mains current seen through a biased ADC input: a CT clamp on a circuit, or the
 * residual-current transformer around its live and neutral. Each `measure()` takes one burst of
 * `samplesPerCycle` evenly spaced samples over `cycles` whole mains cycles, so the mean over the
 * burst is the DC offset (the front end's bias plus ADC offset) whatever the phase, and the RMS of
 * what remains is the current's, harmonics included up to half the sample rate.
 *
 * The burst is timed on the microsecond clock (`waitUntil`); on the ESP32 it holds the CPU for
 * cycles/mainsHz seconds (40 ms for 2 cycles at 50 Hz). Nothing is stored per sample: only the
 * running sums.
 */
export class AcCurrentChannel {
  fault = FAULT_NONE;
  /** DC level of the last burst, in counts. */
  offsetCounts = 0;
  /** Samples of the last burst at either end of the ADC range: the current exceeded the channel's range. */
  clippedSamples = 0;
  /** How late the latest sample of the last burst was, in µs: the burst's timing quality. */
  worstLateUs = 0;
  #adc: AnalogInput;
  #clock: MicrosecondClock;
  #calibration: AcChannelCalibration;
  #maxCount: number;
  #samples: number;
  #periodUs: number;

  constructor(options: {
    io: AnalogConstructor;
    pin: PinSpecifier;
    clock: MicrosecondClock;
    calibration: AcChannelCalibration;
    mainsHz: number;
    cycles: number;
    samplesPerCycle: number;
  }) {
    this.#adc = new options.io({ pin: options.pin });
    this.#clock = options.clock;
    this.#calibration = options.calibration;
    this.#maxCount = 2 ** this.#adc.resolution - 1;
    this.#samples = options.cycles * options.samplesPerCycle;
    this.#periodUs = 1_000_000 / (options.mainsHz * options.samplesPerCycle);
  }

  /** RMS in the calibration's unit (A or mA), or NaN with `fault` set when the front end's bias is off. */
  measure(): number {
    const adc = this.#adc;
    const clock = this.#clock;
    const top = this.#maxCount;
    const n = this.#samples;
    const periodUs = this.#periodUs;
    let due = clock.microseconds();
    let sum = 0;
    let sumSquares = 0;
    let clipped = 0;
    let worstLateUs = 0;
    for (let i = 0; i < n; i++) {
      clock.waitUntil(due);
      const lateUs = clock.microseconds() - due;
      if (lateUs > worstLateUs) worstLateUs = lateUs;
      const x = adc.read();
      if (x <= 0 || x >= top) clipped++;
      sum += x;
      sumSquares += x * x;
      due += periodUs;
    }
    const mean = sum / n;
    const variance = sumSquares / n - mean * mean;
    this.offsetCounts = mean;
    this.clippedSamples = clipped;
    this.worstLateUs = worstLateUs;
    const c = this.#calibration;
    // An unplugged sensor board or a dead amplifier moves the DC level away from the bias: a
    // fault. A current beyond the range only clips peaks; the RMS is then a lower bound, still
    // reported, so an overload is never hidden behind a fault.
    if (Math.abs(mean - c.biasCounts) > c.biasToleranceCounts) {
      this.fault = FAULT_OUT_OF_RANGE;
      return NaN;
    }
    this.fault = FAULT_NONE;
    return Math.sqrt(variance > 0 ? variance : 0) * c.unitsPerCount;
  }

  close(): void {
    this.#adc.close();
  }
}
