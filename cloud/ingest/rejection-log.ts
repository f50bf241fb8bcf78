import type { Logger } from "../log";

/**
 * Logs rejected messages without letting one node write the log: the first rejection of a node
 * in each window is logged, the rest are counted and reported with the next line that node earns
 * (`suppressed`). Per-node totals are kept for /api/ingest/stats, for at most MAX_NODES nodes
 * (the oldest-seen forgotten first), so a flood of made-up topics cannot grow memory either.
 */
export interface NodeRejections {
  total: number;
  lastReason: string;
  lastAt: number;
}

const MAX_NODES = 10_000;

export class RejectionLog {
  #log: Logger;
  #now: () => number;
  #windowMs: number;
  #nodes = new Map<string, NodeRejections & { windowStart: number; suppressed: number }>();

  constructor(log: Logger, now: () => number, windowMs = 60_000) {
    this.#log = log;
    this.#now = now;
    this.#windowMs = windowMs;
  }

  /** Counts one rejection of `node` (a node id, or the topic's start when it names none) and logs it if due. */
  record(node: string, reason: string, topic: string, detail: string): void {
    const now = this.#now();
    let entry = this.#nodes.get(node);
    if (!entry) {
      if (this.#nodes.size >= MAX_NODES) this.#nodes.delete(this.#nodes.keys().next().value!);
      entry = { total: 0, lastReason: reason, lastAt: now, windowStart: Number.NEGATIVE_INFINITY, suppressed: 0 };
      this.#nodes.set(node, entry);
    }
    entry.total++;
    entry.lastReason = reason;
    entry.lastAt = now;
    if (now - entry.windowStart < this.#windowMs) {
      entry.suppressed++;
      return;
    }
    const suppressed = entry.suppressed;
    entry.windowStart = now;
    entry.suppressed = 0;
    this.#log("warn", "ingest rejected a message", {
      node,
      reason,
      topic: topic.slice(0, 120),
      detail: detail.slice(0, 300),
      ...(suppressed ? { suppressed, suppressedForS: Math.round(this.#windowMs / 1000) } : {}),
      total: entry.total,
    });
  }

  /** The nodes with the most rejections, most first. */
  top(limit = 20): Array<{ node: string } & NodeRejections> {
    return [...this.#nodes]
      .map(([node, { total, lastReason, lastAt }]) => ({ node, total, lastReason, lastAt }))
      .sort((a, b) => b.total - a.total)
      .slice(0, limit);
  }
}
