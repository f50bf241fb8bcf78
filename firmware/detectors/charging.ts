import { EventQueue, type Detector } from "./events";
import { SampleRing } from "./sample-ring";

export interface ChargingSettings {
  intervalMs: number;
  /** Current above which a charger is drawing: a session starts after `startHoldMs` above it. */
  startA: number;
  /** Current below which nothing charges: the session ends after `stopHoldMs` below it. */
  stopA: number;
  startHoldMs: number;
  stopHoldMs: number;
  /** The longest a healthy charge takes; current still flowing after it is an overrun. */
  maxSessionMs: number;
  /** A rise to this multiple of the session's running level… */
  stepRatio: number;
  /** …and by at least this much… */
  stepMinA: number;
  /** …held this long, looks like a failing pack (a cell shorting pulls more current). */
  stepHoldMs: number;
  /** Time constant of the session's running level. */
  levelTauMs: number;
}

const IDLE = 0;
const STARTING = 1;
const CHARGING = 2;
const EVIDENCE_SAMPLES = 32;

/**
 * E-bike charging on a charging-shed circuit, from its CT current. A charger's mains current
 * is flat while the pack takes constant current, tapers while it holds constant voltage, then
 * drops to nothing (or a trickle) when the pack is full. The detector reports:
 *   - `charge-session` raised when a charger has drawn above `startA` for `startHoldMs`,
 *     cleared once the current has stayed below `stopA` for `stopHoldMs` (the node sends these
 *     as `charge-started`/`charge-ended` events, not alarms);
 *   - `charge-overrun` (warning) when current still flows `maxSessionMs` after the start: a
 *     charger that does not terminate keeps pushing a full pack;
 *   - `charge-pack-fault` (alarm) when, mid-session, the current steps up to `stepRatio` × its
 *     running level (and by `stepMinA`) and stays there `stepHoldMs`. A charger's current only
 *     falls as a healthy pack fills; a step up means the pack's voltage dropped, as when a cell
 *     shorts internally, the usual prelude to thermal runaway.
 * Overrun and pack fault stay raised until the session ends, and are cleared with it.
 */
export class ChargingDetector implements Detector {
  readonly events = new EventQueue();
  readonly unit = "A";
  readonly sensor = "ct";
  readonly evidenceIntervalMs: number;
  levelA = 0;
  peakA = 0;
  #settings: ChargingSettings;
  #state = IDLE;
  #sinceMs = -1;
  #sessionStartMs = 0;
  #stopSinceMs = -1;
  #stepSinceMs = -1;
  #overrun = false;
  #packFault = false;
  #lastTimeMs = -1;
  /** Length of the session that ended last, for the end event's state. */
  #lastSessionMs = 0;
  #evidence = new SampleRing(EVIDENCE_SAMPLES);

  constructor(settings: ChargingSettings) {
    this.#settings = settings;
    this.evidenceIntervalMs = settings.intervalMs;
  }

  get charging(): boolean {
    return this.#state === CHARGING;
  }

  get overrun(): boolean {
    return this.#overrun;
  }

  get packFault(): boolean {
    return this.#packFault;
  }

  sessionMs(timeMs: number): number {
    return this.#state === CHARGING ? timeMs - this.#sessionStartMs : 0;
  }

  /** Takes over the session the detector this one replaces was following (a new config). */
  adopt(previous: ChargingDetector): void {
    this.#state = previous.#state;
    this.#sinceMs = previous.#sinceMs;
    this.#sessionStartMs = previous.#sessionStartMs;
    this.#overrun = previous.#overrun;
    this.#packFault = previous.#packFault;
    this.#lastTimeMs = previous.#lastTimeMs;
    this.levelA = previous.levelA;
    this.peakA = previous.peakA;
  }

  /** NaN (the CT channel is faulty) is skipped: the overcurrent detector reports that fault. */
  update(currentA: number, timeMs: number): number {
    const events = this.events;
    const s = this.#settings;
    events.count = 0;
    if (currentA !== currentA) return 0;
    const ring = this.#evidence;
    ring.values[ring.next] = currentA;
    ring.next = (ring.next + 1) & ring.mask;
    if (ring.count <= ring.mask) ring.count++;
    const dtMs = this.#lastTimeMs < 0 ? s.intervalMs : timeMs - this.#lastTimeMs;
    this.#lastTimeMs = timeMs;

    if (this.#state === IDLE) {
      if (currentA >= s.startA) {
        this.#state = STARTING;
        this.#sinceMs = timeMs;
      }
      return 0;
    }
    if (this.#state === STARTING) {
      if (currentA < s.startA) {
        this.#state = IDLE;
      } else if (timeMs - this.#sinceMs >= s.startHoldMs) {
        this.#state = CHARGING;
        this.#sessionStartMs = this.#sinceMs;
        this.levelA = currentA;
        this.peakA = currentA;
        this.#stopSinceMs = this.#stepSinceMs = -1;
        events.push("charge-session", "info", "raised", currentA, s.startA);
      }
      return events.count;
    }

    if (currentA > this.peakA) this.peakA = currentA;
    if (currentA < s.stopA) {
      if (this.#stopSinceMs < 0) this.#stopSinceMs = timeMs;
      if (timeMs - this.#stopSinceMs >= s.stopHoldMs) {
        if (this.#packFault) events.push("charge-pack-fault", "alarm", "cleared", currentA, this.levelA * s.stepRatio);
        if (this.#overrun) events.push("charge-overrun", "warning", "cleared", currentA, s.stopA);
        events.push("charge-session", "info", "cleared", currentA, s.stopA);
        this.#lastSessionMs = timeMs - this.#sessionStartMs;
        this.#state = IDLE;
        this.#overrun = this.#packFault = false;
      }
      return events.count;
    }
    this.#stopSinceMs = -1;

    if (!this.#overrun && timeMs - this.#sessionStartMs >= s.maxSessionMs) {
      this.#overrun = true;
      events.push("charge-overrun", "warning", "raised", currentA, s.stopA);
    }

    const stepped = currentA >= this.levelA * s.stepRatio && currentA - this.levelA >= s.stepMinA;
    if (stepped) {
      if (this.#stepSinceMs < 0) this.#stepSinceMs = timeMs;
      if (!this.#packFault && timeMs - this.#stepSinceMs >= s.stepHoldMs) {
        this.#packFault = true;
        events.push("charge-pack-fault", "alarm", "raised", currentA, this.levelA * s.stepRatio);
      }
    } else {
      this.#stepSinceMs = -1;
      // The running level follows the charge curve, but not a step under watch.
      this.levelA += (currentA - this.levelA) * (dtMs >= s.levelTauMs ? 1 : dtMs / s.levelTauMs);
    }
    return events.count;
  }

  evidence(): number[] {
    return this.#evidence.evidence(2);
  }

  snapshot(): Record<string, number> {
    return {
      levelA: Math.round(this.levelA * 100) / 100,
      peakA: Math.round(this.peakA * 100) / 100,
      sessionMin: Math.round((this.#state === CHARGING ? this.sessionMs(this.#lastTimeMs) : this.#lastSessionMs) / 600) / 100,
      overrun: this.#overrun ? 1 : 0,
      packFault: this.#packFault ? 1 : 0,
    };
  }
}
