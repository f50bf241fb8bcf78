/**
 * Whether the cloud has someone's alarm in hand, so that work which can wait does. Everything
 * here shares one event loop: while 10,000 nodes came back after a broker restart, the incident
 * desk had 20 ms of every turn and the telemetry, status and heartbeat writes, the rollups and the
 * rest had the other 100–150 ms, so fresh fires waited seconds to reach anyone (bench:storm).
 * The desk marks its main lane's work urgent; the ingest's bulk lane and the telemetry rollups
 * wait (for a bounded time) while it is. Nothing urgent waits on this: alarms keep their own lane,
 * and the waits are bounded so statuses and heartbeats are never held for long.
 *
 * A scheduling signal only: no data goes back upstream. The count is also kept in shared memory
 * ({@link Urgency.shared}) so work on another thread (the bulk ingest, bulk-thread.ts) can wait
 * for it too ({@link SharedCalm}).
 */
export class Urgency {
  #inHand = 0;
  #waiting: Array<() => void> = [];
  readonly #shared = new Int32Array(new SharedArrayBuffer(4));

  /** The count of urgent work in hand, for {@link SharedCalm} on another thread. */
  get shared(): SharedArrayBuffer {
    return this.#shared.buffer as SharedArrayBuffer;
  }

  /** Marks urgent work begun; the function returned ends it (once, however often it is called). */
  begin(): () => void {
    this.#inHand++;
    Atomics.store(this.#shared, 0, this.#inHand);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      Atomics.store(this.#shared, 0, --this.#inHand);
      if (this.#inHand === 0) {
        Atomics.notify(this.#shared, 0);
        this.#waiting.splice(0).forEach((wake) => wake());
      }
    };
  }

  get pressing(): boolean {
    return this.#inHand > 0;
  }

  /** Resolves at once when nothing urgent is in hand; otherwise once it is all done, or after `maxWaitMs`, whichever is first. */
  calm(maxWaitMs: number): Promise<void> {
    if (this.#inHand === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const at = this.#waiting.indexOf(done);
        if (at >= 0) this.#waiting.splice(at, 1);
        resolve();
      }, maxWaitMs);
      this.#waiting.push(done);
    });
  }
}

/** Another thread's view of an {@link Urgency}: the same `pressing` and `calm`, over its shared count. */
export class SharedCalm {
  readonly #count: Int32Array;

  constructor(shared: SharedArrayBuffer) {
    this.#count = new Int32Array(shared);
  }

  get pressing(): boolean {
    return Atomics.load(this.#count, 0) > 0;
  }

  /** As Urgency.calm: at once when nothing is urgent, else when all of it is done or after `maxWaitMs`. */
  async calm(maxWaitMs: number): Promise<void> {
    const until = performance.now() + maxWaitMs;
    for (;;) {
      const inHand = Atomics.load(this.#count, 0);
      const left = until - performance.now();
      if (inHand === 0 || left <= 0) return;
      // Wakes when the count changes from what was read (the Urgency notifies when it reaches 0).
      const waited = Atomics.waitAsync(this.#count, 0, inHand, left);
      if (waited.async) await waited.value;
    }
  }
}
