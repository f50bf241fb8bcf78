/**
 * Whether the cloud has someone's alarm in hand, so that work which can wait does. Everything
 * here shares one event loop: while 10,000 nodes came back after a broker restart, the incident
 * desk had 20 ms of every turn and the telemetry, status and heartbeat writes, the rollups and the
 * rest had the other 100–150 ms, so fresh fires waited seconds to reach anyone (bench:storm).
 * The desk marks its main lane's work urgent; the ingest's bulk lane and the telemetry rollups
 * wait (for a bounded time) while it is. Nothing urgent waits on this: alarms keep their own lane,
 * and the waits are bounded so statuses and heartbeats are never held for long.
 *
 * A scheduling signal only: no data goes back upstream.
 */
export class Urgency {
  #inHand = 0;
  #waiting: Array<() => void> = [];

  /** Marks urgent work begun; the function returned ends it (once, however often it is called). */
  begin(): () => void {
    this.#inHand++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      if (--this.#inHand === 0) this.#waiting.splice(0).forEach((wake) => wake());
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
