import { describe, expect, it } from "vitest";
import { SightingBook } from "../../cloud/ingest/sighting-book";
import type { BatchSighting } from "../../cloud/nodes/queries";
import { BOOT_ERA_SPAN } from "../../shared/boot-era";

const seen = (nodeId: string, at: number, seq: number, extra: Partial<BatchSighting> = {}): BatchSighting => ({
  nodeId,
  bootId: 1,
  at,
  onlineIfNew: true,
  readings: { smokeRaw: seq },
  readingsFrom: { boot: 1, seq },
  ...extra,
});
const telemetryOnly = () => true;
const ids = (sightings: BatchSighting[]) => sightings.map((s) => s.nodeId);

describe("the sighting book", () => {
  it("writes a node's first sighting at once, then keeps its telemetry-only sightings for up to a second", () => {
    const book = new SightingBook(1000);
    expect(ids(book.take([seen("a", 0, 1)], telemetryOnly, 0))).toEqual(["a"]);
    expect(book.take([seen("a", 100, 2)], telemetryOnly, 100)).toEqual([]);
    expect(book.take([seen("a", 600, 3)], telemetryOnly, 600)).toEqual([]);
    expect(book.waiting).toBe(1);
    // A second after the first one waited, the batch carries what waits: the latest of it.
    const due = book.take([seen("b", 1100, 1)], telemetryOnly, 1100);
    expect(due).toEqual([expect.objectContaining({ nodeId: "b" }), expect.objectContaining({ nodeId: "a", at: 600, readings: { smokeRaw: 3 } })]);
    expect(book.waiting).toBe(0);
  });

  it("writes at once, with what of it waited, a node that sent anything but telemetry or started again", () => {
    const book = new SightingBook(1000);
    book.take([seen("a", 0, 1), seen("b", 0, 1)], telemetryOnly, 0);
    book.take([seen("a", 100, 2), seen("b", 100, 2)], telemetryOnly, 100);
    // a sent a heartbeat beside its telemetry: its row is written now, with its newest readings.
    expect(book.take([seen("a", 200, 3, { firmware: "1.2.0" })], (node) => node !== "a", 200)).toEqual([
      expect.objectContaining({ nodeId: "a", at: 200, firmware: "1.2.0", readings: { smokeRaw: 3 } }),
    ]);
    // b booted again: a new boot is never kept back.
    expect(book.take([seen("b", 300, 1, { bootId: 2, readingsFrom: { boot: 2, seq: 1 } })], telemetryOnly, 300)).toEqual([
      expect.objectContaining({ nodeId: "b", bootId: 2, at: 300, readings: { smokeRaw: 1 } }),
    ]);
    expect(book.waiting).toBe(0);
  });

  it("keeps the newest readings by (boot, seq), not the last to arrive, and takes another era as newer", () => {
    const book = new SightingBook(1000);
    book.take([seen("a", 0, 10)], telemetryOnly, 0);
    book.take([seen("a", 100, 12)], telemetryOnly, 100);
    // A replayed older message arrives later.
    book.take([seen("a", 200, 11)], telemetryOnly, 200);
    expect(book.drain()).toEqual([expect.objectContaining({ at: 200, readings: { smokeRaw: 12 }, readingsFrom: { boot: 1, seq: 12 } })]);

    const reset = 7 * BOOT_ERA_SPAN + 1; // a node that lost its boot counter: another era, a smaller number is fine
    const other = new SightingBook(1000);
    other.take([seen("c", 0, 5, { bootId: 9 * BOOT_ERA_SPAN + 3, readingsFrom: { boot: 9 * BOOT_ERA_SPAN + 3, seq: 5 } })], telemetryOnly, 0);
    other.take([seen("c", 50, 6, { bootId: 9 * BOOT_ERA_SPAN + 3, readingsFrom: { boot: 9 * BOOT_ERA_SPAN + 3, seq: 6 } })], telemetryOnly, 50);
    expect(other.take([seen("c", 100, 1, { bootId: reset, readingsFrom: { boot: reset, seq: 1 } })], telemetryOnly, 100)).toEqual([
      expect.objectContaining({ bootId: reset, readings: { smokeRaw: 1 } }),
    ]);
  });

  it("carries at most its share of what waits in one write, those waiting longest first, and the rest with the next", () => {
    const book = new SightingBook(1000, 2);
    book.take([seen("a", 0, 1), seen("b", 0, 1), seen("c", 0, 1)], telemetryOnly, 0);
    book.take([seen("c", 100, 2)], telemetryOnly, 100);
    book.take([seen("a", 200, 2), seen("b", 200, 2)], telemetryOnly, 200);
    // c waited first (its later sighting merged keeps its place); a came next.
    expect(ids(book.take([seen("d", 1100, 1)], telemetryOnly, 1100))).toEqual(["d", "c", "a"]);
    expect(book.waiting).toBe(1);
    // Still due: the next batch carries it, however soon it comes.
    expect(book.take([], telemetryOnly, 1101)).toEqual([expect.objectContaining({ nodeId: "b", at: 200, readings: { smokeRaw: 2 } })]);
    expect(book.waiting).toBe(0);

    book.take([seen("a", 1200, 3), seen("b", 1200, 3), seen("c", 1200, 3)], telemetryOnly, 1200);
    expect(ids(book.drain(2))).toEqual(["a", "b"]);
    expect(ids(book.drain(2))).toEqual(["c"]);
    expect(book.drain(2)).toEqual([]);
  });

  it("puts back what a failed write held, and then writes those nodes at once", () => {
    const book = new SightingBook(1000);
    book.take([seen("a", 0, 1)], telemetryOnly, 0);
    book.take([seen("a", 100, 2)], telemetryOnly, 100);
    const drained = book.drain();
    expect(book.waiting).toBe(0);
    book.restore(drained, 150);
    expect(book.waiting).toBe(1);
    // Not known to be written any more: the next sighting goes at once, carrying the restored one's readings if newer.
    expect(book.take([seen("a", 200, 3)], telemetryOnly, 200)).toEqual([expect.objectContaining({ nodeId: "a", at: 200, readings: { smokeRaw: 3 } })]);
    expect(book.waiting).toBe(0);
  });
});
