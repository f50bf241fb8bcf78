import type { CableTemperatureSettings } from "../../firmware/detectors/cable-temperature";
import type { ChargingSettings } from "../../firmware/detectors/charging";
import type { HeatSettings } from "../../firmware/detectors/heat";
import type { LeakageSettings } from "../../firmware/detectors/leakage";
import { OVERCURRENT_CURVES, type OvercurrentSettings } from "../../firmware/detectors/overcurrent";
import type { SmokeSettings } from "../../firmware/detectors/smoke";

/**
 * The same decisions as firmware/detectors, written the way idiomatic application JavaScript
 * would write them: histories as arrays of sample objects, windows with filter/slice, sums with
 * reduce, a closure per check, a fresh event object per decision. The benchmark runs both on the
 * same samples, checks they decide the same, and compares what they cost.
 */
export interface NaiveEvent {
  kind: string;
  severity: string;
  state: string;
  value: number;
  threshold: number;
  fault: number;
}

interface Sample {
  t: number;
  v: number;
}

/** Hold-and-hysteresis as a closure over its own state. */
function holdLatch(raiseHoldMs: number, clearHoldMs: number) {
  let active = false;
  let since: number | null = null;
  return {
    get active() {
      return active;
    },
    update(raise: boolean, clear: boolean, t: number): "raised" | "cleared" | null {
      const pushing = active ? clear : raise;
      if (!pushing) {
        since = null;
        return null;
      }
      since ??= t;
      if (t - since < (active ? clearHoldMs : raiseHoldMs)) return null;
      since = null;
      active = !active;
      return active ? "raised" : "cleared";
    },
  };
}

/** Stuck and noisy checks, on the last three readings and the current run of equal ones. */
function health(settings: { stuckMs: number; noiseLimit: number }) {
  let recent: Sample[] = [];
  let run: { value: number; since: number } | null = null;
  let jumpShare = 0;
  const latch = holdLatch(5_000, 60_000);
  let fault = 0;
  return {
    get fault() {
      return fault;
    },
    update(v: number, immediate: number, t: number): { change: "raised" | "cleared" | null; suspect: boolean; blind: boolean } {
      let candidate = immediate;
      if (candidate === 0 && !Number.isNaN(v)) {
        const previous = recent.at(-1);
        recent = [...recent, { t, v }].slice(-3);
        if (recent.length === 3) {
          const [a, b, c] = recent.map((s) => s.v);
          jumpShare += ((Math.abs(c - 2 * b + a) > settings.noiseLimit ? 1 : 0) - jumpShare) / 16;
        }
        if (previous && previous.v === v) run = run && run.value === v ? run : { value: v, since: t };
        else run = null;
        if (settings.stuckMs > 0 && run && t - run.since >= settings.stuckMs) candidate = 3;
        if (candidate === 0 && jumpShare > 0.3) candidate = 4;
      }
      const change = latch.update(candidate !== 0, candidate === 0, t);
      if (change === "raised") fault = candidate;
      if (change === "cleared") fault = 0;
      const meaningless = (code: number) => code !== 0 && code !== 4;
      return { change, suspect: candidate !== 0 || fault !== 0, blind: meaningless(candidate) || meaningless(fault) };
    },
  };
}

export class NaiveSmoke {
  baselineRaw: number;
  #s: SmokeSettings;
  #history: Sample[] = [];
  #minute: Sample[] = [];
  #health;
  #pre;
  #alarm;
  #drift = false;
  #reported = 0;

  constructor(settings: SmokeSettings) {
    this.#s = settings;
    this.baselineRaw = settings.baselineRaw;
    this.#health = health({ stuckMs: settings.stuckMs, noiseLimit: settings.noiseLimitRaw });
    this.#pre = holdLatch(settings.preAlarmHoldMs, settings.clearHoldMs);
    this.#alarm = holdLatch(settings.alarmHoldMs, settings.clearHoldMs);
  }

  update(raw: number, t: number): NaiveEvent[] {
    const s = this.#s;
    const events: NaiveEvent[] = [];
    const immediate = raw <= s.shortBelowRaw ? 2 : raw >= s.openAboveRaw ? 1 : 0;
    const h = this.#health.update(raw, immediate, t);
    if (h.change === "raised") this.#reported = this.#health.fault;
    if (h.change) events.push({ kind: "sensor-fault", severity: "warning", state: h.change, value: raw, threshold: this.baselineRaw, fault: h.change === "raised" ? this.#health.fault : this.#reported });
    if (h.blind) return events;

    this.#history = [...this.#history, { t, v: raw }].slice(-4);
    const average = this.#history.map((x) => x.v).reduce((a, b) => a + b, 0) / this.#history.length;

    if (this.#minuteStart < 0) this.#minuteStart = t;
    this.#minute.push({ t, v: raw });
    const elapsed = t - this.#minuteStart;
    if (elapsed >= 60_000) {
      const mean = this.#minute.map((x) => x.v).reduce((a, b) => a + b, 0) / this.#minute.length;
      this.#minute = [];
      this.#minuteStart = t;
      if (!this.#pre.active && !this.#alarm.active && mean - this.baselineRaw < s.preAlarmDeltaRaw * 0.25) {
        this.baselineRaw += (mean - this.baselineRaw) * Math.min(1, elapsed / s.baselineTauMs);
        const drift = Math.abs(this.baselineRaw - s.baselineRaw);
        if (!this.#drift && drift > s.maxDriftRaw) {
          this.#drift = true;
          events.push({ kind: "sensor-fault", severity: "warning", state: "raised", value: this.baselineRaw, threshold: s.baselineRaw + s.maxDriftRaw, fault: 7 });
        } else if (this.#drift && drift < s.maxDriftRaw * 0.9) {
          this.#drift = false;
          events.push({ kind: "sensor-fault", severity: "warning", state: "cleared", value: this.baselineRaw, threshold: s.baselineRaw + s.maxDriftRaw, fault: 7 });
        }
      }
    }
    const delta = average - this.baselineRaw;
    const levels = [
      { latch: this.#pre, severity: "warning", level: s.preAlarmDeltaRaw },
      { latch: this.#alarm, severity: "alarm", level: s.alarmDeltaRaw },
    ];
    levels.forEach(({ latch, severity, level }) => {
      const change = latch.update(delta >= level, delta <= level * 0.5, t);
      if (change) events.push({ kind: "smoke", severity, state: change, value: average, threshold: this.baselineRaw + (change === "raised" ? level : level * 0.5), fault: 0 });
    });
    return events;
  }

  #minuteStart = -1;
}

export class NaiveHeat {
  #s: HeatSettings;
  #readings: number[] = [];
  #history: Array<Sample & { rate: number; rising: boolean }> = [];
  #health;
  #active = false;
  #reported = 0;

  constructor(settings: HeatSettings) {
    this.#s = settings;
    this.#health = health({ stuckMs: settings.stuckMs, noiseLimit: settings.noiseLimitC });
  }

  update(celsius: number, t: number, fault = 0): NaiveEvent[] {
    const s = this.#s;
    const events: NaiveEvent[] = [];
    if (fault === 0 && Number.isNaN(celsius)) return events;
    const immediate = fault || (celsius < s.minValidC || celsius > s.maxValidC ? 5 : 0);
    const h = this.#health.update(celsius, immediate, t);
    if (h.change === "raised") this.#reported = this.#health.fault;
    if (h.change) events.push({ kind: "sensor-fault", severity: "warning", state: h.change, value: celsius, threshold: s.staticC, fault: h.change === "raised" ? this.#health.fault : this.#reported });
    if (h.blind) {
      this.#history = [];
      this.#readings = [];
      return events;
    }
    this.#readings = [...this.#readings, celsius].slice(-4);
    const filtered = this.#readings.reduce((a, b) => a + b, 0) / this.#readings.length;
    const keepMs = Math.max(s.rateWindowMs, s.rateHoldMs, s.staticHoldMs, s.clearHoldMs) + s.intervalMs;
    const recentMs = Math.max(1, Math.round(s.rateWindowMs / 6 / s.intervalMs)) * s.intervalMs;
    const old = this.#history.find((y) => y.t === t - s.rateWindowMs);
    const recent = this.#history.find((y) => y.t === t - recentMs);
    const rate = old ? ((filtered - old.v) * 60_000) / s.rateWindowMs : 0;
    const rising = rate >= s.rateKPerMin && !!recent && filtered - recent.v >= ((s.rateKPerMin / 2) * recentMs) / 60_000;
    this.#history = [...this.#history, { t, v: filtered, rate, rising }].filter((x) => t - x.t <= keepMs);
    const rated = this.#history;
    const heldFor = (predicate: (x: { t: number; v: number; rate: number; rising: boolean }) => boolean) => {
      const broken = rated.filter((x) => !predicate(x)).reduce((latest, x) => Math.max(latest, x.t), -Infinity);
      const first = rated.filter((x) => x.t > broken).reduce((earliest, x) => Math.min(earliest, x.t), Infinity);
      return first === Infinity ? -1 : t - first;
    };
    if (!this.#active) {
      const staticDue = heldFor((x) => x.v >= s.staticC) >= s.staticHoldMs;
      const rateDue = heldFor((x) => x.rising) >= s.rateHoldMs;
      if (staticDue || rateDue) {
        this.#active = true;
        events.push({ kind: "heat", severity: "alarm", state: "raised", value: filtered, threshold: s.staticC, fault: 0 });
      }
    } else if (heldFor((x) => x.v < s.staticC - 5 && x.rate < s.rateKPerMin / 2) >= s.clearHoldMs) {
      this.#active = false;
      events.push({ kind: "heat", severity: "alarm", state: "cleared", value: filtered, threshold: s.staticC - 5, fault: 0 });
    }
    return events;
  }
}

export class NaiveOvercurrent {
  #s: OvercurrentSettings;
  #samples: Sample[] = [];
  #accumulator = 0;
  #latch;
  #health = health({ stuckMs: 0, noiseLimit: Infinity });
  #last: number | null = null;
  #reported = 0;

  constructor(settings: OvercurrentSettings) {
    this.#s = settings;
    this.#latch = holdLatch(0, settings.clearHoldMs);
  }

  update(amps: number, t: number, fault = 0): NaiveEvent[] {
    const s = this.#s;
    const h = this.#health.update(amps, fault, t);
    const faults: NaiveEvent[] = h.change ? [{ kind: "sensor-fault", severity: "warning", state: h.change, value: 0, threshold: s.pickupA, fault: h.change === "raised" ? (this.#reported = this.#health.fault) : this.#reported }] : [];
    const last = this.#last;
    this.#last = t;
    if (h.suspect || Number.isNaN(amps)) return faults;
    const { k, alpha } = OVERCURRENT_CURVES[s.curve];
    const dt = last === null ? s.intervalMs : Math.min(t - last, 2 * s.intervalMs);
    this.#samples = [...this.#samples, { t, v: amps }].slice(-32);
    const curve = (i: number) => (s.timeMultiplier * k) / (Math.pow(i / s.pickupA, alpha) - 1);
    this.#accumulator = amps > s.pickupA ? this.#accumulator + dt / 1000 / curve(amps) : Math.max(0, this.#accumulator - dt / s.resetMs);
    const change = this.#latch.update(this.#accumulator >= 1, amps < s.pickupA * 0.9, t);
    if (change === "cleared") this.#accumulator = 0;
    return change ? [...faults, { kind: "overcurrent", severity: "alarm", state: change, value: amps, threshold: change === "raised" ? s.pickupA : s.pickupA * 0.9, fault: 0 }] : faults;
  }
}

export class NaiveLeakage {
  #s: LeakageSettings;
  /** Readings of the current push towards an alarm: the up/down timer is replayed over them. */
  #run: Array<Sample & { dt: number; high: boolean }> = [];
  #samples: Sample[] = [];
  #lastT: number | null = null;
  #active = false;
  #clear;
  #health = health({ stuckMs: 0, noiseLimit: Infinity });
  #reported = 0;

  constructor(settings: LeakageSettings) {
    this.#s = settings;
    this.#clear = holdLatch(0, settings.clearHoldMs);
  }

  update(milliamps: number, t: number, fault = 0): NaiveEvent[] {
    const s = this.#s;
    const dt = this.#lastT === null ? s.intervalMs : Math.min(t - this.#lastT, 2 * s.intervalMs);
    this.#lastT = t;
    const h = this.#health.update(milliamps, fault, t);
    const faults: NaiveEvent[] = h.change ? [{ kind: "sensor-fault", severity: "warning", state: h.change, value: 0, threshold: s.thresholdMa, fault: h.change === "raised" ? (this.#reported = this.#health.fault) : this.#reported }] : [];
    if (h.suspect || Number.isNaN(milliamps)) return faults;
    this.#samples = [...this.#samples, { t, v: milliamps }].slice(-32);
    if (!this.#active) {
      this.#run = [...this.#run, { t, v: milliamps, dt, high: milliamps >= s.thresholdMa * 0.9 }];
      const held = this.#run.reduce((held, x) => (x.high ? (held < 0 ? 0 : held + x.dt) : held >= x.dt ? held - x.dt : -1), -1);
      if (held < 0) this.#run = [];
      if (held < s.holdMs) return faults;
      this.#active = true;
      this.#run = [];
      this.#clear.update(true, false, t);
      return [...faults, { kind: "leakage", severity: "alarm", state: "raised", value: milliamps, threshold: s.thresholdMa, fault: 0 }];
    }
    if (this.#clear.update(false, milliamps < s.thresholdMa * 0.8, t) !== "cleared") return faults;
    this.#active = false;
    return [...faults, { kind: "leakage", severity: "alarm", state: "cleared", value: milliamps, threshold: s.thresholdMa * 0.8, fault: 0 }];
  }
}

export class NaiveCharging {
  #s: ChargingSettings;
  #samples: Sample[] = [];
  #state: "idle" | "starting" | "charging" = "idle";
  #since = 0;
  #session = 0;
  #level = 0;
  #overrun = false;
  #packFault = false;

  constructor(settings: ChargingSettings) {
    this.#s = settings;
  }

  update(amps: number, t: number): NaiveEvent[] {
    const s = this.#s;
    const events: NaiveEvent[] = [];
    const previous = this.#samples.at(-1);
    const dt = previous ? t - previous.t : s.intervalMs;
    this.#samples = [...this.#samples, { t, v: amps }].filter((x) => t - x.t <= Math.max(s.stopHoldMs, s.stepHoldMs, s.startHoldMs));
    const heldFor = (predicate: (x: Sample) => boolean) => {
      const broken = this.#samples.filter((x) => !predicate(x)).reduce((latest, x) => Math.max(latest, x.t), -Infinity);
      const first = this.#samples.filter((x) => x.t > broken).reduce((earliest, x) => Math.min(earliest, x.t), Infinity);
      return first === Infinity ? -1 : t - first;
    };
    const emit = (kind: string, severity: string, state: string, threshold: number) => events.push({ kind, severity, state, value: amps, threshold, fault: 0 });
    if (this.#state === "idle") {
      if (amps >= s.startA) {
        this.#state = "starting";
        this.#since = t;
      }
      return events;
    }
    if (this.#state === "starting") {
      if (amps < s.startA) this.#state = "idle";
      else if (t - this.#since >= s.startHoldMs) {
        this.#state = "charging";
        this.#session = this.#since;
        this.#level = amps;
        emit("charge-session", "info", "raised", s.startA);
      }
      return events;
    }
    if (amps < s.stopA) {
      if (heldFor((x) => x.v < s.stopA) >= s.stopHoldMs) {
        if (this.#packFault) emit("charge-pack-fault", "alarm", "cleared", this.#level * s.stepRatio);
        if (this.#overrun) emit("charge-overrun", "warning", "cleared", s.stopA);
        emit("charge-session", "info", "cleared", s.stopA);
        this.#state = "idle";
        this.#overrun = this.#packFault = false;
      }
      return events;
    }
    if (!this.#overrun && t - this.#session >= s.maxSessionMs) {
      this.#overrun = true;
      emit("charge-overrun", "warning", "raised", s.stopA);
    }
    const level = this.#level;
    const stepped = (x: Sample) => x.v >= level * s.stepRatio && x.v - level >= s.stepMinA;
    if (stepped({ t, v: amps })) {
      if (!this.#packFault && heldFor(stepped) >= s.stepHoldMs) {
        this.#packFault = true;
        emit("charge-pack-fault", "alarm", "raised", level * s.stepRatio);
      }
    } else {
      this.#level += (amps - this.#level) * Math.min(1, dt / s.levelTauMs);
    }
    return events;
  }
}

export class NaiveCable {
  #s: CableTemperatureSettings;
  #readings: number[] = [];
  #history: Sample[] = [];
  #health;
  #active = false;
  #reported = 0;

  constructor(settings: CableTemperatureSettings) {
    this.#s = settings;
    this.#health = health({ stuckMs: settings.stuckMs, noiseLimit: settings.noiseLimitC });
  }

  update(celsius: number, t: number, fault = 0): NaiveEvent[] {
    const s = this.#s;
    const events: NaiveEvent[] = [];
    if (fault === 0 && Number.isNaN(celsius)) return events;
    const immediate = fault || (celsius < -55 || celsius > 150 ? 5 : 0);
    const h = this.#health.update(celsius, immediate, t);
    if (h.change === "raised") this.#reported = this.#health.fault;
    if (h.change) events.push({ kind: "sensor-fault", severity: "warning", state: h.change, value: celsius, threshold: s.setpointC, fault: h.change === "raised" ? this.#health.fault : this.#reported });
    if (h.blind) {
      this.#readings = [];
      this.#history = [];
      return events;
    }
    this.#readings = [...this.#readings, celsius].slice(-4);
    const filtered = this.#readings.reduce((a, b) => a + b, 0) / this.#readings.length;
    this.#history = [...this.#history, { t, v: filtered }].filter((x) => t - x.t <= Math.max(s.holdMs, s.clearHoldMs) + s.intervalMs);
    const heldFor = (predicate: (x: Sample) => boolean) => {
      const broken = this.#history.filter((x) => !predicate(x)).reduce((latest, x) => Math.max(latest, x.t), -Infinity);
      const first = this.#history.filter((x) => x.t > broken).reduce((earliest, x) => Math.min(earliest, x.t), Infinity);
      return first === Infinity ? -1 : t - first;
    };
    if (!this.#active && heldFor((x) => x.v >= s.setpointC * 0.98) >= s.holdMs) {
      this.#active = true;
      this.#history = [];
      events.push({ kind: "cable-overheat", severity: "alarm", state: "raised", value: filtered, threshold: s.setpointC, fault: 0 });
    } else if (this.#active && heldFor((x) => x.v < s.setpointC * 0.9) >= s.clearHoldMs) {
      this.#active = false;
      this.#history = [];
      events.push({ kind: "cable-overheat", severity: "alarm", state: "cleared", value: filtered, threshold: s.setpointC * 0.9, fault: 0 });
    }
    return events;
  }
}
