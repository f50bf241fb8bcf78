import type { AcChannelCalibration } from "../calibration";
import { FAULT_NONE, FAULT_OUT_OF_RANGE } from "../faults";
import type { MicrosecondClock } from "../ports/clock";
import type { AnalogConstructor, AnalogInput, PinSpecifier } from "../ports/io";

/**
 * True RMS of mains currents seen through biased ADC inputs: a CT clamp on a circuit, the
 * residual-current transformer around its live and neutral. Each `measure()` takes one burst of
 * `samplesPerCycle` evenly spaced samples per channel over `cycles` whole mains cycles, the
 * channels read one after the other at each sample time, so the mean over the burst is each
 * input's DC offset (the front end's bias plus ADC offset) whatever the phase, and the RMS of
 * what remains is the current's, harmonics included up to half the sample rate.
 *
 * The burst is timed on the microsecond clock (`waitUntil`); on the ESP32 it holds the CPU for
 * cycles/mainsHz seconds (40 ms for 2 cycles at 50 Hz) whatever the number of channels, which is
 * why the channels share one burst. Nothing is stored per sample: only running sums, in typed
 * arrays allocated once.
 */
export class AcCurrentSampler {
  /** RMS per channel in its calibration's unit (A or mA); NaN when its `faults` entry is set. */
  readonly values: Float64Array;
  /** FAULT_* per channel: FAULT_OUT_OF_RANGE when the input's DC level is off its bias. */
  readonly faults: Uint8Array;
  /** DC level per channel, in counts. */
  readonly offsetCounts: Float64Array;
  /** Samples per channel at either end of the ADC range: the current exceeded the channel's range. */
  readonly clippedSamples: Uint16Array;
  /** How late the latest sample of the last burst was, in µs: the burst's timing quality. */
  worstLateUs = 0;
  #adcs: AnalogInput[];
  #calibrations: AcChannelCalibration[];
  #clock: MicrosecondClock;
  #maxCount: number;
  #samples: number;
  #periodUs: number;
  #sums: Float64Array;
  #squares: Float64Array;

  constructor(options: {
    io: AnalogConstructor;
    channels: ReadonlyArray<{ pin: PinSpecifier; calibration: AcChannelCalibration }>;
    clock: MicrosecondClock;
    mainsHz: number;
    cycles: number;
    samplesPerCycle: number;
  }) {
    const n = options.channels.length;
    this.#adcs = options.channels.map((channel) => new options.io({ pin: channel.pin }));
    this.#calibrations = options.channels.map((channel) => channel.calibration);
    this.#clock = options.clock;
    this.#maxCount = 2 ** this.#adcs[0].resolution - 1;
    this.#samples = options.cycles * options.samplesPerCycle;
    this.#periodUs = 1_000_000 / (options.mainsHz * options.samplesPerCycle);
    this.values = new Float64Array(n);
    this.faults = new Uint8Array(n);
    this.offsetCounts = new Float64Array(n);
    this.clippedSamples = new Uint16Array(n);
    this.#sums = new Float64Array(n);
    this.#squares = new Float64Array(n);
  }

  measure(): void {
    const adcs = this.#adcs;
    const channels = adcs.length;
    const clock = this.#clock;
    const top = this.#maxCount;
    const sums = this.#sums;
    const squares = this.#squares;
    const clipped = this.clippedSamples;
    const n = this.#samples;
    const periodUs = this.#periodUs;
    sums.fill(0);
    squares.fill(0);
    clipped.fill(0);
    let due = clock.microseconds();
    let worstLateUs = 0;
    for (let i = 0; i < n; i++) {
      clock.waitUntil(due);
      const lateUs = clock.microseconds() - due;
      if (lateUs > worstLateUs) worstLateUs = lateUs;
      for (let c = 0; c < channels; c++) {
        const x = adcs[c].read();
        if (x <= 0 || x >= top) clipped[c]++;
        sums[c] += x;
        squares[c] += x * x;
      }
      due += periodUs;
    }
    this.worstLateUs = worstLateUs;
    for (let c = 0; c < channels; c++) {
      const mean = sums[c] / n;
      const variance = squares[c] / n - mean * mean;
      const calibration = this.#calibrations[c];
      this.offsetCounts[c] = mean;
      // An unplugged sensor board or a dead amplifier moves the DC level away from the bias: a
      // fault. A current beyond the range only clips peaks; the RMS is then a lower bound, still
      // reported, so an overload is never hidden behind a fault.
      if (Math.abs(mean - calibration.biasCounts) > calibration.biasToleranceCounts) {
        this.faults[c] = FAULT_OUT_OF_RANGE;
        this.values[c] = NaN;
      } else {
        this.faults[c] = FAULT_NONE;
        this.values[c] = Math.sqrt(variance > 0 ? variance : 0) * calibration.unitsPerCount;
      }
    }
  }

  close(): void {
    for (const adc of this.#adcs) adc.close();
  }
}
