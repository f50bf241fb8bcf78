import type { KeyValueStore } from "../ports/storage";

const KEY = "ota";

/**
 * What the node must still know about an update after it reboots: which image it switched to,
 * from which, and why it went back if it did. One small record in NVS, written before the
 * switch and cleared once the cloud has the outcome.
 */
export interface OtaJournalEntry {
  /** "applying": about to switch; "applied": the bootloader will start the new image; "confirmed": it marked itself valid. */
  phase: "applying" | "applied" | "confirmed";
  campaign: string;
  version: string;
  sha256: string;
  /** The version that was running before the switch. */
  from: string;
  /** Set by the new image just before it hands control back to the previous one. */
  rollbackReason?: string;
}

export class OtaJournal {
  #storage: KeyValueStore;

  constructor(storage: KeyValueStore) {
    this.#storage = storage;
  }

  /** The entry, or null when there is none or it cannot be read (then it is dropped: a stale record must not block updates). */
  load(): OtaJournalEntry | null {
    const text = this.#storage.get(KEY);
    if (text === undefined) return null;
    try {
      const entry = JSON.parse(text) as OtaJournalEntry;
      if (typeof entry.campaign === "string" && typeof entry.version === "string" && typeof entry.from === "string") return entry;
    } catch {
      // fall through: unreadable
    }
    this.clear();
    return null;
  }

  save(entry: OtaJournalEntry): void {
    this.#storage.set(KEY, JSON.stringify(entry));
  }

  clear(): void {
    this.#storage.delete(KEY);
  }
}
