interface Entry<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: Error) => void;
}

/** Items one lane may put in a batch per round of the round robin. */
const PER_LANE_TURN = 8;

/**
 * Group commit: items that arrive while a write is under way are written together by the next
 * one, so a burst costs one transaction (one fsync) per batch instead of one per item, and a
 * lone item still goes out at once. Each `add` resolves only after its own batch is written, so
 * a caller that acknowledges on resolution acknowledges only what is stored.
 *
 * Fair between lanes (the ingest's lane is the node): each lane is a FIFO, and a batch is filled
 * round robin, a few items per lane per turn, until it is full. A node flooding thousands of
 * messages therefore cannot push another node's message back beyond the transaction under way:
 * the next batch takes every other lane's waiting items before the flood's remainder fills it.
 * Within one lane the order of arrival is kept.
 */
export class GroupCommit<T, R, S = R[]> {
  #write: (items: T[]) => Promise<S>;
  #settle: ((written: S) => Promise<R[]>) | undefined;
  /** The last batch's settling, which the next one's follows. */
  #settling: Promise<void> | undefined;
  #maxBatch: number;
  #lanes = new Map<string, Entry<T, R>[]>();
  #pending = 0;
  #running: Promise<void> | undefined;
  #batches = 0;
  #largest = 0;
  #gatherMs: number;
  #endGather: (() => void) | undefined;

  /**
   * `gatherMs`: how long a batch that is not full waits for more before it is written. 0 (the
   * default) writes at the next turn of the event loop: for alarms, where each millisecond is
   * someone's. Telemetry, statuses and heartbeats can wait a moment: while 10,000 nodes came back
   * after a broker restart, writing them every turn made 8,522 transactions of one or two
   * statements, 1.3 ms each (11 s of the event loop in bench:storm, most of the cloud's time),
   * while the incident desk waited for its turns.
   *
   * `settle`: a second stage each batch goes through after `write`, which the next batch's write
   * does not wait for (batches still settle in order, and each item resolves after its batch
   * settled). The ingest writes there, and waits for the disk in `settle`: the next batch's
   * transaction is written while the last one's fdatasync runs, and both are then on disk after
   * the next sync, so an alarm waits for one sync, not for the one before it too (bench:storm).
   */
  constructor(write: (items: T[]) => Promise<S>, maxBatch: number, options: { gatherMs?: number; settle?: (written: S) => Promise<R[]> } = {}) {
    this.#write = write;
    this.#settle = options.settle;
    this.#maxBatch = maxBatch;
    this.#gatherMs = options.gatherMs ?? 0;
  }

  get batches(): number {
    return this.#batches;
  }

  /** The largest batch written so far. */
  get largest(): number {
    return this.#largest;
  }

  get pending(): number {
    return this.#pending;
  }

  add(item: T, lane = ""): Promise<R> {
    return new Promise((resolve, reject) => {
      const queue = this.#lanes.get(lane);
      const entry = { item, resolve, reject };
      if (queue) queue.push(entry);
      else this.#lanes.set(lane, [entry]);
      this.#pending++;
      // A full batch goes now, not at the end of the gathering time.
      if (this.#pending >= this.#maxBatch) this.#endGather?.();
      // Let the items already read from the same socket chunk join before the first write starts.
      this.#running ??= this.#gather().then(() => this.#drain());
    });
  }

  /** Resolves when everything added so far is written (and settled). */
  async idle(): Promise<void> {
    while (this.#running || this.#settling) await (this.#running ?? this.#settling);
  }

  /** The next batch: round robin over the lanes, PER_LANE_TURN items a turn, up to maxBatch. */
  #take(): Entry<T, R>[] {
    const batch: Entry<T, R>[] = [];
    const served: string[] = [];
    while (batch.length < this.#maxBatch && this.#lanes.size > 0) {
      for (const [lane, queue] of this.#lanes) {
        const count = Math.min(PER_LANE_TURN, queue.length, this.#maxBatch - batch.length);
        for (let i = 0; i < count; i++) batch.push(queue[i]);
        if (count === queue.length) this.#lanes.delete(lane);
        else queue.splice(0, count);
        served.push(lane);
        if (batch.length >= this.#maxBatch) break;
      }
    }
    // A lane served and still waiting goes behind the lanes that were not reached this time.
    for (const lane of served) {
      const queue = this.#lanes.get(lane);
      if (!queue) continue;
      this.#lanes.delete(lane);
      this.#lanes.set(lane, queue);
    }
    this.#pending -= batch.length;
    return batch;
  }

  /** One turn of the loop, or the gathering time while the next batch is not full. */
  #gather(): Promise<void> {
    if (this.#gatherMs > 0 && this.#pending < this.#maxBatch) {
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => this.#endGather?.(), this.#gatherMs);
        this.#endGather = () => {
          this.#endGather = undefined;
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return new Promise<void>((resolve) => setImmediate(resolve));
  }

  #settleInOrder(batch: Entry<T, R>[], written: S, settle: (written: S) => Promise<R[]>): void {
    const settling = (this.#settling ?? Promise.resolve())
      .then(() => settle(written))
      .then(
        (results) => batch.forEach((entry, i) => entry.resolve(results[i])),
        (error: Error) => batch.forEach((entry) => entry.reject(error)),
      )
      .finally(() => {
        if (this.#settling === settling) this.#settling = undefined;
      });
    this.#settling = settling;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#pending > 0) {
        const batch = this.#take();
        this.#batches++;
        if (batch.length > this.#largest) this.#largest = batch.length;
        try {
          const written = await this.#write(batch.map((entry) => entry.item));
          if (this.#settle) this.#settleInOrder(batch, written, this.#settle);
          else batch.forEach((entry, i) => entry.resolve((written as R[])[i]));
        } catch (error) {
          for (const entry of batch) entry.reject(error as Error);
        }
        // The embedded libSQL client writes synchronously, so without this a backlog ran batch
        // after batch from the microtask queue and the event loop never reached its sockets:
        // no alarm read, no PUBACK flushed, no notification sent for seconds (bench:storm).
        // One turn of the loop between batches lets them in; what arrived meanwhile joins the next.
        if (this.#pending > 0) await this.#gather();
      }
    } finally {
      this.#running = undefined;
    }
  }
}
