/**
 * Group commit: items that arrive while a write is under way are written together by the next
 * one, so a burst costs one transaction (one fsync) per batch instead of one per item, and a
 * lone item still goes out at once. Each `add` resolves only after its own batch is written, so
 * a caller that acknowledges on resolution acknowledges only what is stored.
 */
export class GroupCommit<T, R> {
  #write: (items: T[]) => Promise<R[]>;
  #maxBatch: number;
  #queue: Array<{ item: T; resolve: (result: R) => void; reject: (error: Error) => void }> = [];
  #running: Promise<void> | undefined;
  #batches = 0;
  #largest = 0;

  constructor(write: (items: T[]) => Promise<R[]>, maxBatch: number) {
    this.#write = write;
    this.#maxBatch = maxBatch;
  }

  get batches(): number {
    return this.#batches;
  }

  /** The largest batch written so far. */
  get largest(): number {
    return this.#largest;
  }

  get pending(): number {
    return this.#queue.length;
  }

  add(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      // Let the items already read from the same socket chunk join before the first write starts.
      this.#running ??= new Promise<void>((started) => setImmediate(started)).then(() => this.#drain());
    });
  }

  /** Resolves when everything added so far is written. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.#maxBatch);
        this.#batches++;
        if (batch.length > this.#largest) this.#largest = batch.length;
        try {
          const results = await this.#write(batch.map((entry) => entry.item));
          batch.forEach((entry, i) => entry.resolve(results[i]));
        } catch (error) {
          for (const entry of batch) entry.reject(error as Error);
        }
        // The embedded libSQL client writes synchronously, so without this a backlog ran batch
        // after batch from the microtask queue and the event loop never reached its sockets:
        // no alarm read, no PUBACK flushed, no notification sent for seconds (bench:storm).
        // One turn of the loop between batches lets them in; what arrived meanwhile joins the next.
        if (this.#queue.length > 0) await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      this.#running = undefined;
    }
  }
}
