import type { AlarmMessage, NodeHeader, SensorState } from "../../shared/messages";
import type { SensorCalibration } from "../calibration";
import { CableTemperatureDetector } from "../detectors/cable-temperature";
import { ChargingDetector } from "../detectors/charging";
import { DigitalAlarmDetector } from "../detectors/digital-alarm";
import type { Detector } from "../detectors/events";
import { HeatDetector } from "../detectors/heat";
import { LeakageDetector } from "../detectors/leakage";
import { OvercurrentDetector } from "../detectors/overcurrent";
import { SmokeDetector } from "../detectors/smoke";
import { AcCurrentMeter } from "../drivers/ac-current";
import { NtcThermistor } from "../drivers/ntc-thermistor";
import { SmokeAlarmInput } from "../drivers/smoke-alarm-input";
import { SmokeChamber } from "../drivers/smoke-chamber";
import { Tmp117 } from "../drivers/tmp117";
import { faultName } from "../faults";
import type { Clock, TimerHandle, Timers } from "../ports/clock";
import type { Device } from "../ports/io";
import type { Log } from "../ports/log";
import type { KeyValueStore } from "../ports/storage";
import { sensingConfigProblem, type SensingConfig } from "../sensing-config";
import { checkChamber, checkRange, SelfTestFindings } from "./self-test";

export type AlarmBody = Omit<AlarmMessage, keyof NodeHeader | "type">;

export interface SensingOptions {
  clock: Clock;
  timers: Timers;
  device: Device;
  storage?: KeyValueStore;
  log: Log;
  calibration: SensorCalibration;
  /** Bits of the board's ADC, which bound the raw smoke levels; 12 on the ESP32. */
  adcResolutionBits?: number;
  /** Where decisions go: the uplink's `alarm` on a node, a recorder in tests. */
  send: (alarm: AlarmBody) => void;
  /** Where state events go (a charging session's start and end): the uplink's `event` on a node. */
  event?: (name: string, data: Record<string, number>) => void;
}

export interface SensingInspection {
  smoke?: { raw: number; baselineRaw: number; preAlarm: boolean; alarm: boolean; fault: number };
  heat?: { temperatureC: number; rateKPerMin: number; alarm: boolean; element: number; fault: number };
  electrical?: { currentA: number; leakageMa: number; overcurrent: boolean; accumulator: number; leakage: boolean; charging: boolean; cableC: number; cableAlarm: boolean };
  samples: number;
  alarmsSent: number;
}

/** Learnt clean air, kept in flash so a restart does not forget months of drift (NVS key ≤ 15 characters). */
const BASELINE_KEY = "smokeBaseline";
const BASELINE_SAVE_MS = 3_600_000;
const DIGITAL_ALARM_HOLD_MS = 2_000;

/**
 * The sensing half of a sensor node: drivers, detectors and one timer per sensor group, sampling
 * at the configured rates. sensor → driver → detector → `send`; each tick reads, decides and
 * allocates nothing unless a detector reports an event. `apply` takes a new config: it is checked
 * first and, if refused, the reason comes back and the running config stays.
 */
export class Sensing {
  config: SensingConfig | undefined;
  readonly latest = { smokeRaw: NaN, ntcC: NaN, tmp117C: NaN, currentA: NaN, leakageMa: NaN, cableC: NaN };
  samples = 0;
  alarmsSent = 0;
  #options: SensingOptions;
  #timers: TimerHandle[] = [];
  #closers: Array<{ close(): void }> = [];
  #smoke: SmokeDetector | undefined;
  #smokeIc: DigitalAlarmDetector | undefined;
  #heat: HeatDetector | undefined;
  #overcurrent: OvercurrentDetector | undefined;
  #leakage: LeakageDetector | undefined;
  #charging: ChargingDetector | undefined;
  #cable: CableTemperatureDetector | undefined;
  #baselineSavedMs = 0;

  constructor(options: SensingOptions) {
    this.#options = options;
  }

  /** Why `candidate` would be refused, or null. */
  problem(candidate: unknown): string | null {
    return sensingConfigProblem(candidate, this.#options.adcResolutionBits ?? 12) ?? this.#hardwareProblem(candidate as SensingConfig, this.#options.device);
  }

  /** Starts sampling with `candidate`, or returns why it is refused and keeps the running config. */
  apply(candidate: unknown): string | null {
    const problem = this.problem(candidate);
    if (problem) return problem;
    const previous = { smoke: this.#smoke, smokeIc: this.#smokeIc, heat: this.#heat, overcurrent: this.#overcurrent, leakage: this.#leakage, charging: this.#charging, cable: this.#cable };
    this.#stop();
    this.config = candidate as SensingConfig;
    this.#start(this.config, previous.smoke?.baselineRaw);
    // The new detectors take over what the old ones had raised, so a standing alarm is neither
    // raised again nor left without its clear.
    if (previous.smoke && this.#smoke) this.#smoke.adopt(previous.smoke);
    if (previous.smokeIc && this.#smokeIc) this.#smokeIc.adopt(previous.smokeIc);
    if (previous.heat && this.#heat) this.#heat.adopt(previous.heat);
    if (previous.overcurrent && this.#overcurrent) this.#overcurrent.adopt(previous.overcurrent);
    if (previous.leakage && this.#leakage) this.#leakage.adopt(previous.leakage);
    if (previous.charging && this.#charging) this.#charging.adopt(previous.charging);
    if (previous.cable && this.#cable) this.#cable.adopt(previous.cable);
    return null;
  }

  inspect(): SensingInspection {
    const smoke = this.#smoke;
    const heat = this.#heat;
    const over = this.#overcurrent;
    return {
      smoke: smoke && { raw: this.latest.smokeRaw, baselineRaw: smoke.baselineRaw, preAlarm: smoke.preAlarm, alarm: smoke.alarm || !!this.#smokeIc?.active, fault: smoke.fault },
      heat: heat && { temperatureC: heat.temperatureC, rateKPerMin: heat.rateKPerMin, alarm: heat.active, element: heat.element, fault: heat.fault },
      electrical: over && {
        currentA: this.latest.currentA,
        leakageMa: this.latest.leakageMa,
        overcurrent: over.active,
        accumulator: over.accumulator,
        leakage: !!this.#leakage?.active,
        charging: !!this.#charging?.charging,
        cableC: this.latest.cableC,
        cableAlarm: !!this.#cable?.active,
      },
      samples: this.samples,
      alarmsSent: this.alarmsSent,
    };
  }

  /** What stands, if anything, in words: an update waits while an alarm is raised. */
  busy(): string | null {
    if (this.#smoke?.alarm || this.#smoke?.preAlarm || this.#smokeIc?.active) return "smoke alarm active";
    if (this.#heat?.active) return "heat alarm active";
    if (this.#overcurrent?.active) return "overcurrent alarm active";
    if (this.#leakage?.active) return "leakage alarm active";
    if (this.#charging?.packFault) return "charging pack fault active";
    if (this.#cable?.active) return "cable overheat alarm active";
    return null;
  }

  /**
   * The self-test: every fitted sensor has answered and reads within what it can physically
   * report, with no fault latched; the smoke chamber sits in its clean-air window. It reads what
   * the sampling timers last read and the detectors' latches, and feeds nothing to a detector, so
   * it can raise no alarm and the sensors decide on meanwhile. Refused while an alarm stands: a
   * reading that is smoke or heat now says nothing about the sensor.
   */
  selfTest(): SelfTestFindings | string {
    const standing = this.busy();
    if (standing) return `${standing}: test the sensors once it clears`;
    const findings = new SelfTestFindings();
    const l = this.latest;
    const smoke = this.#smoke;
    const s = this.config?.smoke;
    if (smoke && s) {
      if (smoke.fault !== 0) checkRange(findings, "smoke", NaN, "", 0, 0, smoke.fault);
      else checkChamber(findings, "smoke", l.smokeRaw, { cleanAirRaw: Math.round(smoke.baselineRaw), firstLevelRaw: s.preAlarmDeltaRaw, floorRaw: s.shortBelowRaw, railRaw: s.openAboveRaw });
    }
    const heat = this.#heat;
    if (heat) checkRange(findings, `heat (${this.config?.heat?.source})`, heat.temperatureC, "°C", -40, 125, heat.fault);
    if (this.#overcurrent) checkRange(findings, "current", l.currentA, "A", 0, 30, this.#overcurrent.fault);
    if (this.#leakage) checkRange(findings, "leakage", l.leakageMa, "mA", 0, 1000, this.#leakage.fault);
    if (this.#cable) checkRange(findings, "cable", this.#cable.temperatureC, "°C", -40, 150, this.#cable.fault);
    if (!smoke && !heat && !this.#overcurrent) findings.fail("FAIL: no sensor configured");
    return findings;
  }

  /** Each sensor's state for the heartbeat: a latched fault, no reading yet, or ok. Allocates. */
  states(): Record<string, SensorState> {
    const out: Record<string, SensorState> = {};
    const state = (fault: number, reading: number): SensorState => (fault !== 0 ? "fault" : reading === reading ? "ok" : "unknown");
    if (this.#smoke) out.smoke = state(this.#smoke.fault, this.latest.smokeRaw);
    if (this.#heat) out.heat = state(this.#heat.fault, this.#heat.temperatureC);
    if (this.#overcurrent) out.current = state(this.#overcurrent.fault, this.latest.currentA);
    if (this.#leakage) out.leakage = state(this.#leakage.fault, this.latest.leakageMa);
    if (this.#cable) out.cable = state(this.#cable.fault, this.#cable.temperatureC);
    return out;
  }

  /** Latest readings by names that carry units, finite ones only (telemetry). Allocates. */
  readings(): Record<string, number> {
    const out: Record<string, number> = {};
    const l = this.latest;
    if (Number.isFinite(l.smokeRaw)) out.smokeRaw = l.smokeRaw;
    if (this.#smoke) out.smokeBaselineRaw = Math.round(this.#smoke.baselineRaw * 10) / 10;
    if (Number.isFinite(l.ntcC)) out.ntcC = Math.round(l.ntcC * 100) / 100;
    if (Number.isFinite(l.tmp117C)) out.tmp117C = Math.round(l.tmp117C * 100) / 100;
    if (Number.isFinite(l.currentA)) out.currentA = Math.round(l.currentA * 100) / 100;
    if (Number.isFinite(l.leakageMa)) out.leakageMa = Math.round(l.leakageMa * 10) / 10;
    if (Number.isFinite(l.cableC)) out.cableC = Math.round(l.cableC * 100) / 100;
    return out;
  }

  close(): void {
    this.#stop();
  }

  #hardwareProblem(config: SensingConfig, device: Device): string | null {
    const pin = device.pin;
    if (config.smoke && pin.smoke === undefined) return "smoke: the board has no smoke pin";
    if (config.smoke?.digitalAlarm && pin.smokeAlarm === undefined) return "smoke.digitalAlarm: the board has no smokeAlarm pin";
    if (config.heat?.source === "ntc" && pin.heat === undefined) return "heat.source: the board has no heat (NTC) pin";
    if (config.heat?.source === "tmp117" && !device.I2C) return "heat.source: the board has no I2C bus for the TMP117";
    if (config.electrical) {
      if (pin.current === undefined || pin.leakage === undefined) return "electrical: the board has no current or leakage pin";
      if (!device.io.BackgroundAnalog) return "electrical: the platform has no background ADC sampling for mains waveforms";
      if (config.electrical.cable && !device.I2C) return "electrical.cable: the board has no I2C bus for the cable probe";
    }
    return null;
  }

  #start(config: SensingConfig, learntBaselineRaw: number | undefined): void {
    const { clock, timers, device, calibration } = this.#options;

    const smokeConfig = config.smoke;
    if (smokeConfig) {
      const chamber = this.#own(new SmokeChamber({ io: device.io.Analog, pin: device.pin.smoke }));
      const smoke = (this.#smoke = new SmokeDetector(smokeConfig, learntBaselineRaw ?? this.#savedBaseline(smokeConfig.baselineRaw, smokeConfig.maxDriftRaw)));
      const input = smokeConfig.digitalAlarm ? this.#own(new SmokeAlarmInput({ io: device.io.Digital, pin: device.pin.smokeAlarm })) : undefined;
      const ic = (this.#smokeIc = input
        ? new DigitalAlarmDetector({ intervalMs: smokeConfig.intervalMs, holdMs: DIGITAL_ALARM_HOLD_MS, clearHoldMs: smokeConfig.clearHoldMs })
        : undefined);
      this.#baselineSavedMs = clock.now();
      this.#timers.push(
        timers.repeat(() => {
          const now = clock.now();
          const raw = chamber.sample();
          this.latest.smokeRaw = raw;
          this.samples++;
          const count = smoke.update(raw, now);
          if (count) this.#report(smoke, count);
          if (ic) {
            const icCount = ic.update(input!.active() ? 1 : 0, now);
            if (icCount) this.#report(ic, icCount);
          }
          if (now - this.#baselineSavedMs >= BASELINE_SAVE_MS) this.#saveBaseline(now);
        }, smokeConfig.intervalMs),
      );
    }

    const heatConfig = config.heat;
    if (heatConfig) {
      const ntc =
        device.pin.heat === undefined
          ? undefined
          : this.#own(new NtcThermistor({ io: device.io.Analog, pin: device.pin.heat, calibration: calibration.ntc, fullScaleMv: calibration.adcFullScaleMv }));
      const bus = device.I2C?.default;
      const tmp117 = bus ? this.#own(new Tmp117({ io: bus.io, data: bus.data, clock: bus.clock, port: bus.port, address: calibration.tmp117Address })) : undefined;
      const fromNtc = heatConfig.source === "ntc";
      const heat = (this.#heat = new HeatDetector(heatConfig, heatConfig.source));
      this.#timers.push(
        timers.repeat(() => {
          const now = clock.now();
          const ntcC = (this.latest.ntcC = ntc ? ntc.sample() : NaN);
          const tmp117C = (this.latest.tmp117C = tmp117 ? tmp117.sample() : NaN);
          this.samples++;
          const count = fromNtc ? heat.update(ntcC, now, ntc!.fault) : heat.update(tmp117C, now, tmp117!.fault);
          if (count) this.#report(heat, count);
        }, heatConfig.intervalMs),
      );
    }

    const electrical = config.electrical;
    if (electrical) {
      // Both channels convert in the background; each interval takes their sums.
      const sampler = this.#own(
        new AcCurrentMeter({
          io: device.io.BackgroundAnalog!,
          channels: [
            { pin: device.pin.current, calibration: calibration.ct },
            { pin: device.pin.leakage, calibration: calibration.leakage },
          ],
        }),
      );
      const { values, faults } = sampler;
      const intervalMs = electrical.intervalMs;
      const overcurrent = (this.#overcurrent = new OvercurrentDetector({ ...electrical.overcurrent, intervalMs }));
      const leakage = (this.#leakage = new LeakageDetector({ ...electrical.leakage, intervalMs }));
      const charging = (this.#charging = electrical.charging ? new ChargingDetector({ ...electrical.charging, intervalMs }) : undefined);
      const cable = (this.#cable = electrical.cable ? new CableTemperatureDetector({ ...electrical.cable, intervalMs }) : undefined);
      const bus = device.I2C?.default;
      const cableProbe =
        cable && bus ? this.#own(new Tmp117({ io: bus.io, data: bus.data, clock: bus.clock, port: bus.port, address: calibration.cableTmp117Address })) : undefined;
      this.#timers.push(
        timers.repeat(() => {
          const now = clock.now();
          sampler.measure();
          const currentA = (this.latest.currentA = values[0]);
          const leakageMa = (this.latest.leakageMa = values[1]);
          this.samples++;
          let count = overcurrent.update(currentA, now, faults[0]);
          if (count) this.#report(overcurrent, count);
          count = leakage.update(leakageMa, now, faults[1]);
          if (count) this.#report(leakage, count);
          if (charging) {
            count = charging.update(currentA, now);
            if (count) this.#report(charging, count);
          }
          if (cable) {
            const cableC = (this.latest.cableC = cableProbe!.sample());
            count = cable.update(cableC, now, cableProbe!.fault);
            if (count) this.#report(cable, count);
          }
        }, intervalMs),
      );
    }
  }

  #report(detector: Detector, count: number): void {
    const evidence = detector.evidence();
    const state = detector.snapshot();
    for (let i = 0; i < count; i++) {
      const event = detector.events.slots[i];
      const kind = event.kind;
      if (kind === "charge-session") {
        this.#options.event?.(event.state === "raised" ? "charge-started" : "charge-ended", {
          currentA: round(event.value),
          ...state,
        });
        continue;
      }
      this.alarmsSent++;
      this.#options.send({
        kind,
        severity: event.severity,
        state: event.state,
        value: round(event.value),
        unit: detector.unit,
        threshold: round(event.threshold),
        evidence,
        evidenceIntervalMs: detector.evidenceIntervalMs,
        sensor: detector.sensor,
        fault: event.kind === "sensor-fault" ? faultName(event.fault) : undefined,
        detector: state,
      });
    }
  }

  #own<T extends { close(): void }>(driver: T): T {
    this.#closers.push(driver);
    return driver;
  }

  #savedBaseline(factoryRaw: number, maxDriftRaw: number): number | undefined {
    const saved = Number(this.#options.storage?.get(BASELINE_KEY));
    return Number.isFinite(saved) && Math.abs(saved - factoryRaw) <= maxDriftRaw ? saved : undefined;
  }

  #saveBaseline(now: number): void {
    this.#baselineSavedMs = now;
    const smoke = this.#smoke;
    const storage = this.#options.storage;
    if (!smoke || !storage || smoke.fault !== 0) return;
    try {
      storage.set(BASELINE_KEY, String(Math.round(smoke.baselineRaw * 10) / 10));
    } catch (error) {
      this.#options.log("warn", `could not keep the smoke baseline: ${String(error)}`);
    }
  }

  #stop(): void {
    for (const handle of this.#timers) this.#options.timers.clear(handle);
    for (const driver of this.#closers) driver.close();
    this.#timers = [];
    this.#closers = [];
    this.#smoke = this.#smokeIc = this.#heat = undefined;
    this.#overcurrent = this.#leakage = this.#charging = this.#cable = undefined;
  }
}

function round(value: number): number {
  return Number.isFinite(value) ? Math.round(value * 100) / 100 : 0;
}
