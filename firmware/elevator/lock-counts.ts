import type { ReleasedBy } from "../../shared/events";
import type { KeyValueStore } from "../ports/storage";

const KEY = "lock.counts";

/**
 * What the lock did since the last report: blocked rides and how each hold ended. Kept in flash
 * after every hold, so a restart does not lose a day's counts; reported and restarted every
 * `countsIntervalMs` (the node has uptime, not a calendar: the cloud dates the report).
 */
export class LockCounts {
  blockedAttempts = 0;
  detectedWhileDisabled = 0;
  holdMsTotal = 0;
  clear = 0;
  maxHold = 0;
  override = 0;
  fault = 0;
  disabled = 0;
  #storage: KeyValueStore;

  constructor(storage: KeyValueStore) {
    this.#storage = storage;
    const saved = storage.get(KEY);
    if (!saved) return;
    try {
      const values = JSON.parse(saved) as Record<string, unknown>;
      const read = (name: string) => (typeof values[name] === "number" && Number.isSafeInteger(values[name]) && (values[name] as number) >= 0 ? (values[name] as number) : 0);
      this.blockedAttempts = read("blockedAttempts");
      this.detectedWhileDisabled = read("detectedWhileDisabled");
      this.holdMsTotal = read("holdMsTotal");
      this.clear = read("released.clear");
      this.maxHold = read("released.maxHold");
      this.override = read("released.override");
      this.fault = read("released.fault");
      this.disabled = read("released.disabled");
    } catch {
      storage.delete(KEY);
    }
  }

  released(by: ReleasedBy, heldMs: number): void {
    this.holdMsTotal += heldMs;
    if (by === "clear") this.clear++;
    else if (by === "max-hold") this.maxHold++;
    else if (by === "override") this.override++;
    else if (by === "fault") this.fault++;
    else this.disabled++;
  }

  /** The report's body. Allocates: called once a day and on save. */
  toRecord(): Record<string, number> {
    return {
      blockedAttempts: this.blockedAttempts,
      detectedWhileDisabled: this.detectedWhileDisabled,
      holdMsTotal: this.holdMsTotal,
      "released.clear": this.clear,
      "released.maxHold": this.maxHold,
      "released.override": this.override,
      "released.fault": this.fault,
      "released.disabled": this.disabled,
    };
  }

  save(): void {
    this.#storage.set(KEY, JSON.stringify(this.toRecord()));
  }

  reset(): void {
    this.blockedAttempts = this.detectedWhileDisabled = this.holdMsTotal = 0;
    this.clear = this.maxHold = this.override = this.fault = this.disabled = 0;
    this.save();
  }
}
