import { bootEra } from "../../shared/boot-era";
import type { BatchSighting } from "../nodes/queries";

/**
 * How long a node's "last seen" and latest readings may wait before they are written, when all
 * the node sent was telemetry. Telemetry rows themselves are never deferred: only the node's own
 * row, which says when it was last heard from.
 */
export const SIGHTINGS_EVERY_MS = 1000;

/**
 * Most waiting sightings one write carries. Written together, a whole fleet's rows made one
 * transaction: after 10,000 nodes reconnected, a batch carrying every waiting node held SQLite's
 * write lock for 13–27 ms of the bulk thread's own CPU (bench:storm with the lock's holds traced,
 * /proc/thread-self/schedstat), and an alarm's write waited for all of it. 500 still held it for
 * up to 12 ms of CPU (about 24 µs a row, the upsert's conflict clause included); with 100, the
 * writes among the holds over 10 ms ran 4.4 ms on average. The rest go with the next write.
 */
export const SIGHTINGS_PER_WRITE = 100;

/** Beyond this many nodes remembered as written, the memory starts again (each then writes once at once). */
const WRITTEN_KEPT = 200_000;

/**
 * Which sightings of a batch go to the nodes table in its own transaction, and which wait (at
 * most {@link SIGHTINGS_EVERY_MS}) to be written together with the same nodes' next ones.
 *
 * Why: every telemetry batch rewrote the row of every node in it (last seen, latest readings). A
 * fleet sending faster than once a second — an outbox replaying after a reconnect, bench:ingest's
 * 50 messages per node — rewrote each node's row once per batch: in bench:ingest that upsert was
 * a third of the SQL time (6–9 ms of each 1,000-message batch, measured statement by statement),
 * while its result was overwritten a few dozen milliseconds later. Coalesced, a node's row is
 * written about once a second however fast it sends; at one message per 10 s nothing changes.
 *
 * What waits: only a node already written by this ingest with the same boot, whose messages in
 * the batch were all telemetry. A node's first sighting, a new boot, and any batch where it sent a
 * status, heartbeat, alarm, event or command ack go at once, with whatever of it was waiting, so
 * the row exists and is current before those statements act on it. A crash loses at most a
 * second of "last seen" (the telemetry rows are stored and acknowledged as before); the liveness
 * sweep allows several heartbeat periods, so a second's lag marks nobody offline.
 */
export class SightingBook {
  #everyMs: number;
  #perWrite: number;
  /** Boot last written per node by this ingest. */
  #written = new Map<string, number>();
  #waiting = new Map<string, BatchSighting>();
  #waitingSince: number | undefined;

  constructor(everyMs = SIGHTINGS_EVERY_MS, perWrite = SIGHTINGS_PER_WRITE) {
    this.#everyMs = everyMs;
    this.#perWrite = perWrite;
  }

  /** Sightings waiting to be written. */
  get waiting(): number {
    return this.#waiting.size;
  }

  /**
   * The sightings to write in this batch's transaction: those that cannot wait, merged with what
   * of theirs was waiting, and every waiting one once the oldest has waited `everyMs`. The rest
   * are kept. `telemetryOnly(node)`: the batch held nothing but telemetry from that node. Of the
   * waiting ones, at most {@link SIGHTINGS_PER_WRITE} go with one batch, those waiting longest
   * first; the rest are still due and go with the next.
   */
  take(sightings: Iterable<BatchSighting>, telemetryOnly: (nodeId: string) => boolean, now: number): BatchSighting[] {
    const due: BatchSighting[] = [];
    for (const sighting of sightings) {
      const waiting = this.#waiting.get(sighting.nodeId);
      const merged = waiting ? merge(waiting, sighting) : sighting;
      if (telemetryOnly(sighting.nodeId) && this.#written.get(sighting.nodeId) === sighting.bootId) {
        this.#waiting.set(sighting.nodeId, merged);
        this.#waitingSince ??= now;
        continue;
      }
      if (waiting) this.#waiting.delete(sighting.nodeId);
      due.push(merged);
      this.#remember(merged);
    }
    if (this.#waitingSince !== undefined && now - this.#waitingSince >= this.#everyMs) due.push(...this.drain());
    else if (this.#waiting.size === 0) this.#waitingSince = undefined;
    return due;
  }

  /**
   * Waiting sightings taken out of the book (to be written now), those waiting longest first: at
   * most `limit`, one write's worth unless told. What is left stays due.
   */
  drain(limit = this.#perWrite): BatchSighting[] {
    const taken: BatchSighting[] = [];
    // A Map keeps the order keys were first set: a node still waiting keeps its place when its sighting is merged.
    for (const [nodeId, sighting] of this.#waiting) {
      if (taken.length >= limit) break;
      taken.push(sighting);
      this.#waiting.delete(nodeId);
      this.#remember(sighting);
    }
    if (this.#waiting.size === 0) this.#waitingSince = undefined;
    return taken;
  }

  /** Puts back sightings whose write failed, so the next write carries them. */
  restore(sightings: BatchSighting[], now: number): void {
    for (const sighting of sightings) {
      const waiting = this.#waiting.get(sighting.nodeId);
      this.#waiting.set(sighting.nodeId, waiting ? merge(sighting, waiting) : sighting);
      // Not known to be written: the node's next sighting goes at once.
      this.#written.delete(sighting.nodeId);
    }
    if (this.#waiting.size > 0) this.#waitingSince ??= now;
  }

  #remember(sighting: BatchSighting): void {
    if (this.#written.size >= WRITTEN_KEPT && !this.#written.has(sighting.nodeId)) this.#written.clear();
    this.#written.set(sighting.nodeId, sighting.bootId);
  }
}

/**
 * `later` heard after `earlier`: the newest boot and time, and the readings of the newer message
 * by (boot, seq). A boot of another era (shared/boot-era.ts: the node was reset) is newer whatever
 * its number, as the nodes upsert takes it.
 */
function merge(earlier: BatchSighting, later: BatchSighting): BatchSighting {
  const reset = bootEra(later.bootId) !== bootEra(earlier.bootId);
  const laterReadingsNewer =
    later.readingsFrom !== undefined &&
    (earlier.readingsFrom === undefined ||
      bootEra(later.readingsFrom.boot) !== bootEra(earlier.readingsFrom.boot) ||
      later.readingsFrom.boot > earlier.readingsFrom.boot ||
      (later.readingsFrom.boot === earlier.readingsFrom.boot && later.readingsFrom.seq > earlier.readingsFrom.seq));
  const newer = laterReadingsNewer ? later : earlier;
  return {
    nodeId: later.nodeId,
    bootId: reset ? later.bootId : Math.max(earlier.bootId, later.bootId),
    at: Math.max(earlier.at, later.at),
    onlineIfNew: earlier.onlineIfNew,
    firmware: later.firmware ?? earlier.firmware,
    readings: newer.readings,
    readingsFrom: newer.readingsFrom,
  };
}
