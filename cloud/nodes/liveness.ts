import type { Db } from "../db/client";
import type { Logger } from "../log";
import { repeatWithoutOverlap } from "../time/repeat-without-overlap";
import { markSilentNodesOffline } from "./queries";

/** Heartbeats a node may miss before it counts as offline: one lost QoS 0 heartbeat is not an outage. */
export const MISSED_HEARTBEATS = 3;

/** How often the sweep runs, unless told otherwise. */
export const SWEEP_EVERY_MS = 10_000;

export interface LivenessMonitor {
  /** Marks offline every online node silent for MISSED_HEARTBEATS of its own heartbeat periods; returns their ids. */
  sweep(): Promise<string[]>;
  stop(): void;
}

/**
 * The second way a node is known to be offline. Its last will covers a connection that dies;
 * this covers a node whose connection the broker still believes in (a half-open TCP link before
 * keepalive notices, a node wedged with its socket open) and a node whose will was lost. Time
 * comes from the injected clock, so a test moves it by hand.
 */
export function startLivenessMonitor(deps: { db: Db; now: () => number; log: Logger; everyMs?: number }): LivenessMonitor {
  const { db, now, log } = deps;
  const sweep = async (): Promise<string[]> => {
    const silent = await markSilentNodesOffline(db, now(), MISSED_HEARTBEATS);
    if (silent.length > 0) log("warn", "nodes missed their heartbeats; marked offline", { count: silent.length, nodes: silent.slice(0, 20).join(",") });
    return silent;
  };
  const stop = repeatWithoutOverlap(sweep, { everyMs: deps.everyMs ?? SWEEP_EVERY_MS, log, failure: "liveness sweep failed" });
  return { sweep, stop };
}
