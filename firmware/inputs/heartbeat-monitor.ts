/**
 * Watches a line that a live peripheral keeps toggling (the e-bike detector's heartbeat output).
 * Alive while an edge was seen within the last `timeoutMs`; a line stuck high, stuck low or cut
 * gives no edges and reads as lost. Starts lost: nothing is trusted before it has spoken.
 */
export class HeartbeatMonitor {
  readonly timeoutMs: number;
  #lastLevel = -1;
  #lastEdgeMs = 0;
  #seenEdge = false;

  constructor(options: { timeoutMs: number }) {
    if (!(options.timeoutMs > 0)) throw new RangeError("timeoutMs must be positive");
    this.timeoutMs = options.timeoutMs;
  }

  update(raw: number, nowMs: number): void {
    const level = raw ? 1 : 0;
    if (this.#lastLevel !== -1 && level !== this.#lastLevel) {
      this.#lastEdgeMs = nowMs;
      this.#seenEdge = true;
    }
    this.#lastLevel = level;
  }

  alive(nowMs: number): boolean {
    return this.#seenEdge && nowMs - this.#lastEdgeMs <= this.timeoutMs;
  }

  /** Milliseconds since the last edge, or -1 if none was ever seen. */
  silentForMs(nowMs: number): number {
    return this.#seenEdge ? nowMs - this.#lastEdgeMs : -1;
  }
}
