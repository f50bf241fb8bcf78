/**
 * Synthesized sensor traces, deterministic from a seed. Pure computation with no Node or DOM
 * API, so the same module runs inside XS (scenarios generate their samples there, chunk by chunk,
 * instead of shipping millions of numbers over the pipe) and in Node (the benchmark's naive side).
 *
 * A trace is a baseline plus slow drift, a daily swing, events and noise, optionally seen through
 * a first-order lag (a heat sensor's thermal time constant) and quantized (ADC counts).
 */
export interface TraceSpec {
  intervalMs: number;
  baseline: number;
  /** Uniform noise, ± this much. */
  noise?: number;
  /** Gaussian noise of this standard deviation (a sensor's datasheet σ), besides `noise`. */
  noiseSigma?: number;
  driftPerDay?: number;
  /** A 24-hour sine of ± this much (temperature, humidity). */
  dailySwing?: number;
  /** Sensor time constant: the trace is the true value seen through a first-order lag. */
  lagMs?: number;
  /** Rounding step of the output (1 for ADC counts); 0 or absent: none. */
  quantum?: number;
  events?: TraceEvent[];
  seed?: number;
}

export type TraceEvent =
  /** A linear rise of `perMin` from `atS`, up to `max` above the baseline. */
  | { type: "ramp"; atS: number; perMin: number; max?: number }
  /** Up over `riseS`, flat for `holdS`, down over `fallS`. */
  | { type: "pulse"; atS: number; riseS: number; holdS: number; fallS: number; height: number }
  /** Adds `height` from `atS` until `untilS`. */
  | { type: "step"; atS: number; height: number; untilS?: number }
  /** Adds `height` from `atS`, decaying exponentially with `tauS` (a taper). */
  | { type: "decay"; atS: number; height: number; tauS: number }
  /** The output freezes at its value at `atS` (a stuck ADC or sensor). */
  | { type: "stuck"; atS: number }
  /** The output sits at `value` from `atS` (an open or shorted input at a rail). */
  | { type: "rail"; atS: number; value: number; untilS?: number }
  /** Extra uniform noise of ± `amplitude` from `atS` (interference, a loose contact). */
  | { type: "noise"; atS: number; amplitude: number; untilS?: number };

const DAY_MS = 86_400_000;

export class Trace {
  readonly spec: TraceSpec;
  index = 0;
  #state: number;
  #lagged = NaN;
  #stuck = NaN;

  constructor(spec: TraceSpec) {
    this.spec = spec;
    this.#state = (spec.seed ?? 1) >>> 0 || 0x9e3779b9;
  }

  /** Time of sample `index`, ms from the trace's start. */
  timeMs(index: number): number {
    return index * this.spec.intervalMs;
  }

  /** The noiseless true value at `timeMs` (what a perfect, lag-free sensor would read). */
  truth(timeMs: number): number {
    const s = this.spec;
    const tS = timeMs / 1000;
    let value = s.baseline + ((s.driftPerDay ?? 0) * timeMs) / DAY_MS;
    if (s.dailySwing) value += s.dailySwing * Math.sin((2 * Math.PI * timeMs) / DAY_MS);
    for (const e of s.events ?? []) {
      if (tS < e.atS) continue;
      const since = tS - e.atS;
      switch (e.type) {
        case "ramp": {
          const rise = (e.perMin * since) / 60;
          value += e.max === undefined ? rise : Math.min(rise, e.max);
          break;
        }
        case "pulse":
          if (since < e.riseS) value += (e.height * since) / e.riseS;
          else if (since < e.riseS + e.holdS) value += e.height;
          else if (since < e.riseS + e.holdS + e.fallS) value += e.height * (1 - (since - e.riseS - e.holdS) / e.fallS);
          break;
        case "step":
          if (e.untilS === undefined || tS < e.untilS) value += e.height;
          break;
        case "decay":
          value += e.height * Math.exp(-since / e.tauS);
          break;
      }
    }
    return value;
  }

  /** The next sample, as the sensor reports it. */
  next(): number {
    const s = this.spec;
    const timeMs = this.timeMs(this.index++);
    let value = this.truth(timeMs);
    if (s.lagMs) {
      this.#lagged = this.#lagged === this.#lagged ? this.#lagged + (value - this.#lagged) * (1 - Math.exp(-s.intervalMs / s.lagMs)) : value;
      value = this.#lagged;
    }
    let noise = s.noise ?? 0;
    const tS = timeMs / 1000;
    for (const e of s.events ?? []) {
      if (e.type === "noise" && tS >= e.atS && (e.untilS === undefined || tS < e.untilS)) noise += e.amplitude;
    }
    if (noise) value += noise * (2 * this.#random() - 1);
    if (s.noiseSigma) value += s.noiseSigma * Math.sqrt(-2 * Math.log(1 - this.#random())) * Math.cos(2 * Math.PI * this.#random());
    if (s.quantum) value = Math.round(value / s.quantum) * s.quantum;
    for (const e of s.events ?? []) {
      if (e.type === "rail" && tS >= e.atS && (e.untilS === undefined || tS < e.untilS)) value = e.value;
      if (e.type === "stuck" && tS >= e.atS) {
        if (this.#stuck !== this.#stuck) this.#stuck = value;
        value = this.#stuck;
      }
    }
    return value;
  }

  /** Fills `out` with the next `out.length` samples (no allocation). */
  fill(out: Float32Array | Float64Array): void {
    for (let i = 0; i < out.length; i++) out[i] = this.next();
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
