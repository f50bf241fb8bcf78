import type { AcChannelCalibration } from "../calibration";
import { FAULT_NONE, FAULT_OUT_OF_RANGE } from "../faults";
import type { MicrosecondClock } from "../ports/clock";
import type { AnalogConstructor, AnalogInput, PinSpecifier } from "../ports/io";

/**
 * True RMS of mains currents seen through biased ADC inputs: a CT clamp on a circuit, the
 * residual-current transformer around its live and neutral. Each `measure()` takes one burst of
 * `samplesPerCycle` evenly spaced samples per channel over `cycles` whole mains cycles, the
 * one or two channels read one after the other at each sample time, so the mean over the burst is each
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
  /** How far the last burst ran past its last sample's due time, in µs: its timing quality. */
  overrunUs = 0;
  #adcs: AnalogInput[];
  #calibrations: AcChannelCalibration[];
  #clock: MicrosecondClock;
  #maxCount: number;
  #samples: number;
  #periodUs: number;

  constructor(options: {
    io: AnalogConstructor;
    channels: ReadonlyArray<{ pin: PinSpecifier; calibration: AcChannelCalibration }>;
    clock: MicrosecondClock;
    mainsHz: number;
    cycles: number;
    samplesPerCycle: number;
  }) {
    const n = options.channels.length;
    if (n < 1 || n > 2) throw new RangeError("an AC sampler takes one or two channels");
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
  }

  measure(): void {
    const first = this.#adcs[0];
    const second = this.#adcs.length > 1 ? this.#adcs[1] : undefined;
    const clock = this.#clock;
    const top = this.#maxCount;
    const n = this.#samples;
    const periodUs = this.#periodUs;
    // Two channels at most (a clamp and a residual-current transformer), so the running sums
    // stay in locals: the loop runs at 1–3 kHz on the ESP32 and each operation counts.
    let sum0 = 0;
    let squares0 = 0;
    let clipped0 = 0;
    let sum1 = 0;
    let squares1 = 0;
    let clipped1 = 0;
    const startUs = clock.microseconds();
    let due = startUs;
    for (let i = 0; i < n; i++) {
      clock.waitUntil(due);
      const x = first.read();
      if (x <= 0 || x >= top) clipped0++;
      sum0 += x;
      squares0 += x * x;
      if (second) {
        const y = second.read();
        if (y <= 0 || y >= top) clipped1++;
        sum1 += y;
        squares1 += y * y;
      }
      due += periodUs;
    }
    this.overrunUs = clock.microseconds() - due;
    this.#finish(0, sum0, squares0, clipped0);
    if (second) this.#finish(1, sum1, squares1, clipped1);
  }

  #finish(channel: number, sum: number, squares: number, clipped: number): void {
    const n = this.#samples;
    const mean = sum / n;
    const variance = squares / n - mean * mean;
    const calibration = this.#calibrations[channel];
    this.offsetCounts[channel] = mean;
    this.clippedSamples[channel] = clipped;
    // An unplugged sensor board or a dead amplifier moves the DC level away from the bias: a
    // fault. A current beyond the range only clips peaks; the RMS is then a lower bound, still
    // reported, so an overload is never hidden behind a fault.
    if (Math.abs(mean - calibration.biasCounts) > calibration.biasToleranceCounts) {
      this.faults[channel] = FAULT_OUT_OF_RANGE;
      this.values[channel] = NaN;
    } else {
      this.faults[channel] = FAULT_NONE;
      this.values[channel] = Math.sqrt(variance > 0 ? variance : 0) * calibration.unitsPerCount;
    }
  }

  close(): void {
    for (const adc of this.#adcs) adc.close();
  }
}
