import type { AlarmRecord } from "./alarm-record";

type Listener = (alarm: AlarmRecord) => void;

/**
 * Newly stored alarms, fanned out to live listeners (the console's SSE streams). A listener that
 * throws is dropped, never the feed: one broken stream must not starve the others.
 */
export class AlarmFeed {
  #listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  publish(alarm: AlarmRecord): void {
    for (const listener of this.#listeners) {
      try {
        listener(alarm);
      } catch {
        this.#listeners.delete(listener);
      }
    }
  }

  get listeners(): number {
    return this.#listeners.size;
  }
}
