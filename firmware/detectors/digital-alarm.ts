import { EventQueue, type Detector } from "./events";
import { HoldLatch, LATCH_CLEARED, LATCH_RAISED } from "./hold-latch";
import { SampleRing } from "./sample-ring";

const EVIDENCE_SAMPLES = 16;

/**
 * A smoke IC's own alarm output, debounced: raised after the line has been active for
 * `holdMs`, cleared after it has been inactive for `clearHoldMs`.
 */
export class DigitalAlarmDetector implements Detector {
  readonly events = new EventQueue(2);
  readonly unit = "on";
  readonly sensor = "smoke-ic";
  readonly evidenceIntervalMs: number;
  #latch: HoldLatch;
  #evidence = new SampleRing(EVIDENCE_SAMPLES);

  constructor(options: { intervalMs: number; holdMs: number; clearHoldMs: number }) {
    this.evidenceIntervalMs = options.intervalMs;
    this.#latch = new HoldLatch(options.holdMs, options.clearHoldMs);
  }

  get active(): boolean {
    return this.#latch.active;
  }

  /** Takes over the alarm state of the detector this one replaces (a new config). */
  adopt(previous: DigitalAlarmDetector): void {
    this.#latch.adopt(previous.#latch);
  }

  /** `on` is 1 while the IC alarms, 0 otherwise. */
  update(on: number, timeMs: number): number {
    const events = this.events;
    events.count = 0;
    this.#evidence.push(on);
    const latch = this.#latch;
    if (!latch.active && latch.sinceMs < 0 && on === 0) return 0;
    const change = latch.update(on === 1, on === 0, timeMs);
    if (change === LATCH_RAISED) events.push("smoke", "alarm", "raised", 1, 1);
    else if (change === LATCH_CLEARED) events.push("smoke", "alarm", "cleared", 0, 1);
    return events.count;
  }

  evidence(): number[] {
    return this.#evidence.evidence(0);
  }

  snapshot(): Record<string, number> {
    return { active: this.active ? 1 : 0 };
  }
}
