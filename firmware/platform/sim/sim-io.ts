import type { Clock } from "../../ports/clock";
import type { AnalogInput, BackgroundAnalogInput, Device, DigitalPort, I2cOptions, I2cPort, PinSpecifier, SerialOutput } from "../../ports/io";

/**
 * Background conversions per second per pin in the simulator. The ESP32's continuous ADC runs at
 * 20 kHz shared by its channels; the simulator synthesizes far fewer, at a rate that does not
 * divide 50 or 60 Hz, so its conversions still fall on 32 (16 at 60 Hz) evenly spread phases of
 * the mains cycle and the RMS is exact, as equivalent-time sampling is; only the noise averages
 * less than on the chip.
 */
export const SIM_BACKGROUND_HZ = 64;
/** At most this much backlog is converted at a take: the ESP32's DMA pool also keeps only its newest frames. */
const BACKGROUND_BACKLOG_US = 2_000_000;

type WriteListener = (value: number) => void;
type SerialListener = (bytes: Uint8Array) => void;

/**
 * A waveform on an analog pin, in ADC counts: offset + amplitude·sin(2π·hz·t) + a third harmonic
 * + uniform noise, read at the conversion's time on the virtual clock. The host synthesizes mains currents with
 * it (a CT clamp's or a residual-current transformer's output) instead of setting a level.
 */
export interface WaveformSpec {
  offsetCounts: number;
  /** Peak of the fundamental, in counts. */
  amplitudeCounts: number;
  hz: number;
  /** Peak of the third harmonic, in counts (rectifier loads such as chargers draw one). */
  thirdHarmonicCounts?: number;
  /** Peak of uniform noise, in counts. */
  noiseCounts?: number;
  seed?: number;
}

class Waveform {
  #spec: WaveformSpec;
  #state: number;

  constructor(spec: WaveformSpec) {
    this.#spec = spec;
    this.#state = spec.seed ?? 0x2545f491;
  }

  at(microseconds: number): number {
    const s = this.#spec;
    const phase = 2 * Math.PI * s.hz * (microseconds / 1_000_000);
    let value = s.offsetCounts + s.amplitudeCounts * Math.sin(phase);
    if (s.thirdHarmonicCounts) value += s.thirdHarmonicCounts * Math.sin(3 * phase);
    if (s.noiseCounts) value += s.noiseCounts * (2 * this.#random() - 1);
    return value;
  }

  #random(): number {
    let x = this.#state;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    this.#state = x;
    return x / 4294967296;
  }
}

/**
 * Pin levels the host sets; simulated IO objects read them, as real ones read the hardware.
 * Simulated circuits outside the chip (a relay's monostable, a voice module) listen to what the
 * firmware writes, and may drive an input pin themselves (`drive`), like a relay's sense contact.
 * An analog pin may carry a waveform instead of a level (`setWaveform`).
 */
export class SimPins {
  readonly values = new Map<PinSpecifier, number>();
  readonly waveforms = new Map<PinSpecifier, Waveform>();
  #writeListeners = new Map<PinSpecifier, WriteListener>();
  #serialListeners = new Map<PinSpecifier, SerialListener>();
  #drivers = new Map<PinSpecifier, () => number>();

  set(pin: PinSpecifier, value: number): void {
    this.#drivers.delete(pin);
    this.waveforms.delete(pin);
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

  setWaveform(pin: PinSpecifier, spec: WaveformSpec | null): void {
    if (spec) this.waveforms.set(pin, new Waveform(spec));
    else this.waveforms.delete(pin);
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

/**
 * I2C targets by address, each a file of 16-bit registers read and written most significant byte
 * first, the way register-pointer sensors such as the TMP117 work: a write's first byte sets the
 * pointer, two more bytes write that register; a read returns words from the pointer on. An
 * address with no target does not acknowledge: reads and writes throw, as on the bus.
 */
export class SimI2cBus {
  readonly targets = new Map<number, Uint16Array>();
  /** Transactions no target acknowledged (each one threw, as on the chip). */
  nacks = 0;

  attach(address: number, registers: Record<number, number>): void {
    const file = this.targets.get(address) ?? new Uint16Array(256);
    for (const key of Object.keys(registers)) file[Number(key)] = registers[Number(key)];
    this.targets.set(address, file);
  }

  detach(address: number): void {
    this.targets.delete(address);
  }
}

/** Builds a `device` provider whose Analog, Digital, Serial and I2C classes read and write the simulated pins and bus. */
export function simDevice(
  pins: SimPins,
  pinMap: Record<string, PinSpecifier>,
  adcResolution = 12,
  options: { bus?: SimI2cBus; clock?: Clock; backgroundHz?: number } = {},
): Device {
  const maxCount = 2 ** adcResolution - 1;
  const clock = options.clock;
  const backgroundPeriodUs = 1_000_000 / (options.backgroundHz ?? SIM_BACKGROUND_HZ);
  const bus = options.bus ?? new SimI2cBus();

  class SimAnalog implements AnalogInput {
    readonly resolution = adcResolution;
    #pin: PinSpecifier;
    constructor(options: { pin: PinSpecifier }) {
      this.#pin = options.pin;
    }
    read(): number {
      const waveform = pins.waveforms.get(this.#pin);
      const level = waveform && clock ? waveform.at(clock.now() * 1000) : pins.get(this.#pin);
      const value = Math.round(level);
      return value < 0 ? 0 : value > maxCount ? maxCount : value;
    }
    close(): void {}
  }

  /** Converts, at each take, every conversion due since the last one on the virtual clock. */
  class SimBackgroundAnalog implements BackgroundAnalogInput {
    readonly resolution = adcResolution;
    #pin: PinSpecifier;
    #nextUs: number;
    constructor(options: { pin: PinSpecifier }) {
      if (!clock) throw new Error("the simulated BackgroundAnalog needs the virtual clock");
      this.#pin = options.pin;
      this.#nextUs = clock.now() * 1000 + backgroundPeriodUs;
    }
    take(sums: Float64Array, offset: number): number {
      const nowUs = clock!.now() * 1000;
      if (nowUs - this.#nextUs > BACKGROUND_BACKLOG_US) this.#nextUs = nowUs - BACKGROUND_BACKLOG_US;
      const waveform = pins.waveforms.get(this.#pin);
      const level = pins.get(this.#pin);
      let count = 0;
      let sum = 0;
      let squares = 0;
      let clipped = 0;
      for (let at = this.#nextUs; at <= nowUs; at += backgroundPeriodUs) {
        const raw = Math.round(waveform ? waveform.at(at) : level);
        const value = raw < 0 ? 0 : raw > maxCount ? maxCount : raw;
        if (value <= 0 || value >= maxCount) clipped++;
        sum += value;
        squares += value * value;
        count++;
      }
      this.#nextUs += count * backgroundPeriodUs;
      sums[offset] = count;
      sums[offset + 1] = sum;
      sums[offset + 2] = squares;
      sums[offset + 3] = clipped;
      return count;
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

  class SimI2C implements I2cPort {
    #address: number;
    #pointer = 0;
    constructor(options: I2cOptions) {
      this.#address = options.address;
    }
    write(buffer: Uint8Array): void {
      const file = this.#target();
      if (buffer.length > 0) this.#pointer = buffer[0];
      for (let i = 1; i + 1 < buffer.length; i += 2) file[(this.#pointer + (i - 1) / 2) & 0xff] = (buffer[i] << 8) | buffer[i + 1];
    }
    read(buffer: Uint8Array): number {
      const file = this.#target();
      for (let i = 0; i < buffer.length; i++) {
        const word = file[(this.#pointer + (i >> 1)) & 0xff];
        buffer[i] = i & 1 ? word & 0xff : word >> 8;
      }
      return buffer.length;
    }
    close(): void {}
    #target(): Uint16Array {
      const file = bus.targets.get(this.#address);
      if (!file) {
        bus.nacks++;
        throw new Error(`I2C target 0x${this.#address.toString(16)} did not acknowledge`);
      }
      return file;
    }
  }

  const i2cSda = pinMap.i2cSda;
  const i2cScl = pinMap.i2cScl;
  return {
    io: { Analog: SimAnalog, Digital: SimDigital, Serial: SimSerial, I2C: SimI2C, BackgroundAnalog: clock ? SimBackgroundAnalog : undefined },
    I2C: i2cSda !== undefined && i2cScl !== undefined ? { default: { io: SimI2C, data: i2cSda, clock: i2cScl } } : undefined,
    pin: pinMap,
  };
}
