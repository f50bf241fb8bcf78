import { asc, eq } from "drizzle-orm";
import type { Db } from "../../cloud/db/client";
import { alarms } from "../../cloud/db/schema";
import type { SimNode } from "../../firmware/platform/sim/host/sim-node";
import type { Truthy } from "./wait";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Moves simulated nodes' clocks forward in steps, letting real I/O (the broker, the cloud) run
 * between steps, until `check` returns something truthy.
 */
export async function runUntil<T>(
  nodes: SimNode[],
  check: () => T | Promise<T>,
  what: string,
  options: { stepMs?: number; timeoutMs?: number; pauseMs?: number } = {},
): Promise<Truthy<T>> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  for (;;) {
    const value = await check();
    if (value) return value as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    for (const node of nodes) await node.advance(options.stepMs ?? 500);
    await sleep(options.pauseMs ?? 5);
  }
}

/** Smoke in and out of the chamber: one raised and one cleared alarm per cycle (hold is 3 samples at 1 Hz). */
export async function smokeCycles(node: SimNode, cycles: number, cycleMs = 8000): Promise<void> {
  for (let i = 0; i < cycles; i++) {
    await node.setPins({ smoke: 950 });
    await node.advance(cycleMs / 2);
    await node.setPins({ smoke: 300 });
    await node.advance(cycleMs / 2);
  }
}

/** A node's stored alarms in the order the cloud stored them. */
export async function storedAlarms(db: Db, nodeId: string) {
  return db.select({ bootId: alarms.bootId, seq: alarms.seq, state: alarms.state }).from(alarms).where(eq(alarms.nodeId, nodeId)).orderBy(asc(alarms.id));
}
