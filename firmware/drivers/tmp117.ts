import { FAULT_NO_RESPONSE, FAULT_NONE } from "../faults";
import type { I2cConstructor, I2cPort, PinSpecifier } from "../ports/io";

/*
 * TI TMP117 digital temperature sensor (datasheet SNOSD82): ±0.1 °C from −20 to 50 °C.
 * Register 00h holds the last conversion as a 16-bit two's-complement number, 1 LSB = 7.8125 m°C,
 * most significant byte first; its reset value 8000h (−256 °C) means no conversion has finished.
 * Register 0Fh (Device ID) holds 0117h in bits 11:0. After power-up it converts continuously
 * (1 s cycle, 8 averaged conversions), so a read needs no trigger and no wait.
 */
const REG_TEMPERATURE = 0x00;
const REG_DEVICE_ID = 0x0f;
const DEVICE_ID = 0x117;
const CELSIUS_PER_LSB = 0.0078125;
const NOT_CONVERTED = -0x8000;
/** Reads in a row that may return the reset value before the sensor counts as not converting. */
const MAX_NOT_READY = 5;
/**
 * Samples skipped after a failed transaction, doubling up to this many (about a minute at 1 Hz).
 * An ECMA-419 I2C read or write to a target that does not acknowledge throws, and each throw
 * leaves an Error and its stack behind: a missing or broken sensor asked every tick would make
 * garbage every second on a node that otherwise allocates nothing per sample.
 */
const MAX_BACKOFF_SAMPLES = 64;

/**
 * Reads the TMP117 over an ECMA-419 I2C port. A sensor that does not acknowledge, has the wrong
 * device ID or never finishes a conversion is reported as `no-response` in `fault`; `sample`
 * never throws. After a failed transaction the bus is left alone for 1, 2, 4 … 64 samples (the
 * fault stays reported meanwhile), so an absent sensor costs one throw a minute, not one a tick.
 */
export class Tmp117 {
  fault = FAULT_NONE;
  #i2c: I2cPort | undefined;
  #pointer = new Uint8Array(1);
  #word = new Uint8Array(2);
  #notReady = 0;
  #identified = false;
  #backoff = 0;
  #skip = 0;
  /** Transactions that failed (the target did not acknowledge), for tests and diagnostics. */
  failures = 0;

  constructor(options: { io: I2cConstructor; data: PinSpecifier; clock: PinSpecifier; address: number; port?: number }) {
    try {
      this.#i2c = new options.io({ data: options.data, clock: options.clock, hz: 400_000, address: options.address, port: options.port });
    } catch {
      this.fault = FAULT_NO_RESPONSE;
    }
  }

  /** Temperature in °C, or NaN (`fault` says why, or the first conversion is not done yet). */
  sample(): number {
    if (!this.#i2c) return NaN;
    if (this.#skip > 0) {
      this.#skip--;
      return NaN;
    }
    if (!this.#identified) {
      const id = this.#readRegister(REG_DEVICE_ID);
      if (id === null || (id & 0x0fff) !== DEVICE_ID) return this.#failed();
      this.#identified = true;
    }
    const word = this.#readRegister(REG_TEMPERATURE);
    if (word === null) return this.#failed();
    this.#backoff = 0;
    const signed = (word << 16) >> 16;
    if (signed === NOT_CONVERTED) {
      if (++this.#notReady > MAX_NOT_READY) this.fault = FAULT_NO_RESPONSE;
      return NaN;
    }
    this.#notReady = 0;
    this.fault = FAULT_NONE;
    return signed * CELSIUS_PER_LSB;
  }

  #failed(): number {
    this.fault = FAULT_NO_RESPONSE;
    this.#identified = false;
    this.#backoff = this.#backoff === 0 ? 1 : this.#backoff < MAX_BACKOFF_SAMPLES ? this.#backoff * 2 : MAX_BACKOFF_SAMPLES;
    this.#skip = this.#backoff;
    return NaN;
  }

  close(): void {
    this.#i2c?.close();
    this.#i2c = undefined;
  }

  #readRegister(register: number): number | null {
    const i2c = this.#i2c!;
    this.#pointer[0] = register;
    try {
      i2c.write(this.#pointer, false);
      i2c.read(this.#word);
    } catch {
      this.failures++;
      return null;
    }
    return (this.#word[0] << 8) | this.#word[1];
  }
}
