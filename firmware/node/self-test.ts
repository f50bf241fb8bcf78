import { FAULT_DRIFT_LIMIT, FAULT_NO_RESPONSE, FAULT_NONE, FAULT_NOISY, FAULT_OPEN, FAULT_OUT_OF_RANGE, FAULT_SHORT, FAULT_STUCK } from "../faults";
import type { CommandReply } from "../link/commands";
import type { TimerHandle, Timers } from "../ports/clock";
import type { Device, DigitalPort } from "../ports/io";

/**
 * What a self-test found, one line per check, for the ack a crew reads on the node's page.
 * A self-test only looks: it reads the sensors and the detectors' own fault latches, never
 * feeds a reading to a detector and never sends an alarm, so testing a detector cannot raise a
 * fire alarm, and the sampling timers run on untouched (the detector is never blinded).
 */
export class SelfTestFindings {
  #failures: string[] = [];
  #passes: string[] = [];

  pass(line: string): void {
    this.#passes.push(line);
  }

  fail(line: string): void {
    this.#failures.push(line);
  }

  get failed(): boolean {
    return this.#failures.length > 0;
  }

  /** `failed` when any check failed. Failures come first: the ack's detail is cut at 200 characters. */
  reply(): CommandReply {
    return { result: this.failed ? "failed" : "ok", detail: [...this.#failures, ...this.#passes].join("; ") };
  }
}

/** A sensor's latched fault in a crew's words. */
export function faultWords(code: number): string {
  switch (code) {
    case FAULT_OPEN:
      return "reads open (wire cut or sensor missing)";
    case FAULT_SHORT:
      return "reads shorted";
    case FAULT_STUCK:
      return "reading stuck (sensor not answering)";
    case FAULT_NOISY:
      return "reading too noisy";
    case FAULT_OUT_OF_RANGE:
      return "reading out of range";
    case FAULT_NO_RESPONSE:
      return "not answering";
    case FAULT_DRIFT_LIMIT:
      return "chamber dirty (clean-air drift used up), clean or replace it";
    default:
      return `fault ${code}`;
  }
}

export interface ChamberWindow {
  /** The chamber's calibrated clean-air reading, raw counts. */
  cleanAirRaw: number;
  /** Counts above clean air at which smoke is first reported (the pre-alarm, or the alarm). */
  firstLevelRaw: number;
  /** At or below this the chamber gives no light back at all. */
  floorRaw: number;
  /** At or above this the input sits at a rail. */
  railRaw: number;
}

/**
 * A photoelectric chamber's test, as a detector's test button does it: the clean-air reading
 * must sit in its calibrated window. Scattered light off the chamber walls gives clean air a
 * steady, non-zero reading, so a reading near nothing means the IR LED is dark or the photodiode
 * does not answer; one at a rail is a broken amplifier; one risen halfway to the first smoke
 * level in clean air is dust on the chamber (the test cannot tell dust from faint smoke, so a
 * crew looks before cleaning).
 */
export function checkChamber(findings: SelfTestFindings, label: string, raw: number, window: ChamberWindow): void {
  const { cleanAirRaw, firstLevelRaw, floorRaw, railRaw } = window;
  if (!(raw === raw)) return findings.fail(`${label} FAIL: no reading (sensor not answering)`);
  if (raw <= floorRaw) return findings.fail(`${label} FAIL: reads ${raw}, IR LED dark or photodiode not answering`);
  if (raw >= railRaw) return findings.fail(`${label} FAIL: reads ${raw} at the rail, amplifier or wiring broken`);
  if (raw < cleanAirRaw / 2) return findings.fail(`${label} FAIL: reads ${raw}, under half of clean air ${cleanAirRaw}: IR LED weak or photodiode not answering`);
  if (raw - cleanAirRaw >= firstLevelRaw / 2) return findings.fail(`${label} FAIL: reads ${raw}, ${raw - cleanAirRaw} over clean air ${cleanAirRaw} with no alarm: chamber dirty`);
  findings.pass(`${label} ok ${raw} (clean air ${cleanAirRaw})`);
}

/** A reading that must be present and inside what the sensor can physically report. */
export function checkRange(findings: SelfTestFindings, label: string, value: number, unit: string, min: number, max: number, fault: number): void {
  if (fault !== FAULT_NONE) return findings.fail(`${label} FAIL: ${faultWords(fault)}`);
  if (!(value === value)) return findings.fail(`${label} FAIL: no reading (sensor not answering)`);
  const shown = Math.round(value * 10) / 10;
  if (value < min || value > max) return findings.fail(`${label} FAIL: ${shown} ${unit} outside ${min}…${max} ${unit}`);
  findings.pass(`${label} ok ${shown} ${unit}`);
}

/**
 * The board's status LED lit for a moment during a self-test, as a detector's test button lights
 * its LED, so the crew on site sees which detector is testing. The node has no sounder of its
 * own: the smoke IC's horn, where fitted, is the IC's and is not the node's to sound. The port
 * is opened at the first test and kept, so tests in quick succession do not open the pin twice.
 */
export class TestIndicator {
  #device: Device;
  #timers: Timers;
  #led: DigitalPort | undefined;
  #off: TimerHandle | undefined;

  constructor(device: Device, timers: Timers) {
    this.#device = device;
    this.#timers = timers;
  }

  /** Lights the LED for `ms`; says what it did, for the findings. */
  flash(findings: SelfTestFindings, ms: number): void {
    const pin = this.#device.pin.statusLed;
    if (pin === undefined) return findings.pass("no indicator fitted");
    try {
      const { Digital } = this.#device.io;
      this.#led ??= new Digital({ pin, mode: Digital.Output });
    } catch (error) {
      return findings.pass(`indicator not lit (${String((error as Error)?.message ?? error)})`);
    }
    const led = this.#led;
    led.write(1);
    this.#timers.clear(this.#off);
    this.#off = this.#timers.set(() => led.write(0), ms);
    findings.pass(`LED lit ${ms / 1000} s`);
  }

  close(): void {
    this.#timers.clear(this.#off);
    this.#led?.write(0);
    this.#led?.close();
    this.#led = undefined;
  }
}
