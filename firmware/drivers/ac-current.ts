import type { AcChannelCalibration } from "../calibration";
import { FAULT_NO_RESPONSE, FAULT_NONE, FAULT_OUT_OF_RANGE } from "../faults";
import type { BackgroundAnalogConstructor, BackgroundAnalogInput, PinSpecifier } from "../ports/io";

/**
 * Fewer conversions than this since the last measurement means the background sampling stalled
 * (the DMA or its task stopped): the channel is reported as not responding rather than measured
 * on a handful of points.
 */
const MIN_CONVERSIONS = 16;

/**
 * True RMS of mains currents seen through biased ADC inputs: a CT clamp on a circuit, the
 * residual-current transformer around its live and neutral. The conversions run in the
 * background (`BackgroundAnalog`: on the ESP32 the ADC's continuous mode with DMA), and each
 * `measure()` takes the sums gathered since the last one: the mean over the interval is each
 * input's DC offset (the front end's bias plus ADC offset), and the RMS of what remains is the
 * current's, harmonics included. An interval of whole seconds holds whole 50 and 60 Hz cycles, and
 * the conversions are spread over it, so no phase is favoured. Nothing is stored per conversion:
 * four sums per channel, in a typed array allocated once. Where the old burst held the CPU for
 * two mains cycles every second to read 64 samples a channel, a measurement now costs a few
 * operations per channel.
 */
export class AcCurrentMeter {
  /** RMS per channel in its calibration's unit (A or mA); NaN when its `faults` entry is set. */
  readonly values: Float64Array;
  /** FAULT_* per channel: out of range when the input's DC level is off its bias, no response when the sampling stalled. */
  readonly faults: Uint8Array;
  /** DC level per channel, in counts. */
  readonly offsetCounts: Float64Array;
  /** Conversions per channel at either end of the ADC range: the current exceeded the channel's range. */
  readonly clippedSamples: Uint32Array;
  /** Conversions per channel in the last measurement. */
  readonly conversions: Uint32Array;
  #inputs: BackgroundAnalogInput[];
  #calibrations: AcChannelCalibration[];
  #sums: Float64Array;

  constructor(options: { io: BackgroundAnalogConstructor; channels: ReadonlyArray<{ pin: PinSpecifier; calibration: AcChannelCalibration }> }) {
    const n = options.channels.length;
    if (n < 1) throw new RangeError("an AC meter takes at least one channel");
    this.#inputs = options.channels.map((channel) => new options.io({ pin: channel.pin }));
    this.#calibrations = options.channels.map((channel) => channel.calibration);
    this.#sums = new Float64Array(4 * n);
    this.values = new Float64Array(n);
    this.faults = new Uint8Array(n);
    this.offsetCounts = new Float64Array(n);
    this.clippedSamples = new Uint32Array(n);
    this.conversions = new Uint32Array(n);
  }

  measure(): void {
    const inputs = this.#inputs;
    const sums = this.#sums;
    for (let channel = 0; channel < inputs.length; channel++) {
      const at = 4 * channel;
      const count = inputs[channel].take(sums, at);
      this.conversions[channel] = count;
      this.clippedSamples[channel] = sums[at + 3];
      if (count < MIN_CONVERSIONS) {
        this.faults[channel] = FAULT_NO_RESPONSE;
        this.values[channel] = NaN;
        continue;
      }
      const mean = sums[at + 1] / count;
      const variance = sums[at + 2] / count - mean * mean;
      const calibration = this.#calibrations[channel];
      this.offsetCounts[channel] = mean;
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
  }

  close(): void {
    for (const input of this.#inputs) input.close();
  }
}
