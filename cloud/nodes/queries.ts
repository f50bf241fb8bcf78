import { sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { nodes } from "../db/schema";

export interface NodeSighting {
  nodeId: string;
  bootId: number;
  at: number;
  online?: boolean;
  firmware?: string;
  readings?: Record<string, number>;
}

/** Records that a node was heard from, creating it on first contact. */
export async function recordSighting(db: Db, sighting: NodeSighting): Promise<void> {
  const changes: Record<string, unknown> = { lastSeenAt: sighting.at, bootId: sighting.bootId };
  if (sighting.online !== undefined) changes.online = sighting.online;
  if (sighting.firmware !== undefined) changes.firmware = sighting.firmware;
  if (sighting.readings !== undefined) changes.readings = JSON.stringify(sighting.readings);
  await db
    .insert(nodes)
    .values({
      id: sighting.nodeId,
      bootId: sighting.bootId,
      online: sighting.online ?? true,
      firmware: sighting.firmware ?? null,
      readings: sighting.readings ? JSON.stringify(sighting.readings) : null,
      firstSeenAt: sighting.at,
      lastSeenAt: sighting.at,
    })
    .onConflictDoUpdate({ target: nodes.id, set: { ...changes, lastSeenAt: sql`max(${nodes.lastSeenAt}, ${sighting.at})` } });
}
