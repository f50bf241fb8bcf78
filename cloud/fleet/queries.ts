import { and, asc, count, eq, inArray, sql } from "drizzle-orm";
import type { NodeKind } from "../../shared/node-kinds";
import type { Db } from "../db/client";
import { batches, batchSerials, devices, nodes, places, type DeviceStatus } from "../db/schema";

export type Batch = typeof batches.$inferSelect;
export type Device = typeof devices.$inferSelect;

export async function findBatch(db: Db, batchId: string): Promise<Batch | null> {
  const [row] = await db.select().from(batches).where(eq(batches.id, batchId));
  return row ?? null;
}

export async function listBatches(db: Db): Promise<Array<Batch & { claimed: number; allowedSerials: number }>> {
  const rows = await db.select().from(batches).orderBy(asc(batches.createdAt));
  const claimed = await db.select({ batchId: devices.batchId, n: count() }).from(devices).groupBy(devices.batchId);
  const serials = await db.select({ batchId: batchSerials.batchId, n: count() }).from(batchSerials).groupBy(batchSerials.batchId);
  const claimedBy = new Map(claimed.map((row) => [row.batchId, row.n]));
  const serialsBy = new Map(serials.map((row) => [row.batchId, row.n]));
  return rows.map((row) => ({ ...row, claimed: claimedBy.get(row.id) ?? 0, allowedSerials: serialsBy.get(row.id) ?? 0 }));
}

export async function insertBatch(db: Db, batch: typeof batches.$inferInsert): Promise<void> {
  await db.insert(batches).values(batch);
}

/** Removes a batch that never got its broker account (nothing can have claimed under it). */
export async function deleteBatch(db: Db, batchId: string): Promise<void> {
  await db.delete(batchSerials).where(eq(batchSerials.batchId, batchId));
  await db.delete(batches).where(eq(batches.id, batchId));
}

/** Adds allowed serials in chunks, calling `progress` after each, so a big list shows its progress. */
export async function insertBatchSerials(db: Db, batchId: string, serials: readonly string[], progress?: (done: number) => void): Promise<void> {
  const CHUNK = 500;
  for (let start = 0; start < serials.length; start += CHUNK) {
    const chunk = serials.slice(start, start + CHUNK).map((serial) => ({ batchId, serial }));
    await db.insert(batchSerials).values(chunk).onConflictDoNothing();
    progress?.(Math.min(start + CHUNK, serials.length));
  }
}

export async function serialInBatch(db: Db, batchId: string, serial: string): Promise<boolean> {
  const [row] = await db
    .select({ serial: batchSerials.serial })
    .from(batchSerials)
    .where(and(eq(batchSerials.batchId, batchId), eq(batchSerials.serial, serial)));
  return row !== undefined;
}

export async function batchSerialList(db: Db, batchId: string): Promise<string[]> {
  const rows = await db.select({ serial: batchSerials.serial }).from(batchSerials).where(eq(batchSerials.batchId, batchId)).orderBy(asc(batchSerials.serial));
  return rows.map((row) => row.serial);
}

export async function findDevice(db: Db, serial: string): Promise<Device | null> {
  const [row] = await db.select().from(devices).where(eq(devices.serial, serial));
  return row ?? null;
}

export interface NewDevice {
  serial: string;
  nodeId: string;
  batchId: string;
  kind: NodeKind;
  board: string;
  credentialHash: string;
  claimPadHash: string;
  firmware: string;
  claimedAt: number;
}

/**
 * Records a first claim, unless the serial is already known or the batch has no claims left.
 * One statement, so concurrent claims on the last places of a batch cannot both get one.
 * Returns whether the row was written.
 */
export async function insertDeviceWithinBatch(db: Db, device: NewDevice, maxDevices: number | null): Promise<boolean> {
  if (maxDevices === null) {
    // A listed batch (every batch since issue 12): no count to keep, so no scan of the batch's devices per claim.
    const result = await db.run(sql`
      INSERT INTO ${devices} (serial, node_id, batch_id, kind, board, status, credential_hash, claim_pad_hash, firmware, claimed_at)
      VALUES (${device.serial}, ${device.nodeId}, ${device.batchId}, ${device.kind}, ${device.board}, 'claimed',
              ${device.credentialHash}, ${device.claimPadHash}, ${device.firmware}, ${device.claimedAt})
      ON CONFLICT (serial) DO NOTHING`);
    return result.rowsAffected === 1;
  }
  const limit = maxDevices;
  const result = await db.run(sql`
    INSERT INTO ${devices} (serial, node_id, batch_id, kind, board, status, credential_hash, claim_pad_hash, firmware, claimed_at)
    SELECT ${device.serial}, ${device.nodeId}, ${device.batchId}, ${device.kind}, ${device.board}, 'claimed',
           ${device.credentialHash}, ${device.claimPadHash}, ${device.firmware}, ${device.claimedAt}
    WHERE (SELECT count(*) FROM ${devices} WHERE batch_id = ${device.batchId}) < ${limit}
    ON CONFLICT (serial) DO NOTHING`);
  return result.rowsAffected === 1;
}

/** New credentials for a known device: a retried claim, or a released device claiming again. */
export async function reissueDevice(db: Db, serial: string, changes: { credentialHash: string; claimPadHash: string; firmware: string; claimedAt: number }): Promise<void> {
  await db
    .update(devices)
    .set({ ...changes, status: "claimed", releasedAt: null })
    .where(and(eq(devices.serial, serial), inArray(devices.status, ["claimed", "released"])));
}

/** The node's row, so staff can place it and the console can list it before it first speaks. */
export async function ensureNodeRow(db: Db, nodeId: string, at: number): Promise<void> {
  await db.insert(nodes).values({ id: nodeId, online: false, firstSeenAt: at, lastSeenAt: at }).onConflictDoNothing();
}

/** Whether the node has been heard under its own identity after `at` (the ingest keeps lastSeenAt). */
export async function nodeHeardSince(db: Db, nodeId: string, at: number): Promise<boolean> {
  const [row] = await db.select({ lastSeenAt: nodes.lastSeenAt }).from(nodes).where(eq(nodes.id, nodeId));
  return row !== undefined && row.lastSeenAt > at;
}

export async function setDeviceStatus(db: Db, serial: string, status: DeviceStatus, at: number): Promise<void> {
  const stamp = status === "revoked" ? { revokedAt: at } : status === "released" ? { releasedAt: at } : {};
  await db.update(devices).set({ status, credentialHash: null, claimPadHash: null, ...stamp }).where(eq(devices.serial, serial));
}

export async function markNodeOffline(db: Db, nodeId: string): Promise<void> {
  await db.update(nodes).set({ online: false }).where(eq(nodes.id, nodeId));
}

export interface DeviceView extends Device {
  online: boolean | null;
  lastSeenAt: number | null;
  placeId: string | null;
  placePath: string | null;
}

/** Devices with their node's state and place, optionally of one batch. */
export async function listDevices(db: Db, batchId?: string): Promise<DeviceView[]> {
  const rows = await db
    .select({ device: devices, online: nodes.online, lastSeenAt: nodes.lastSeenAt, placeId: nodes.placeId, placePath: places.path })
    .from(devices)
    .leftJoin(nodes, eq(nodes.id, devices.nodeId))
    .leftJoin(places, eq(places.id, nodes.placeId))
    .where(batchId ? eq(devices.batchId, batchId) : undefined)
    .orderBy(asc(devices.serial));
  return rows.map((row) => ({ ...row.device, online: row.online, lastSeenAt: row.lastSeenAt, placeId: row.placeId, placePath: row.placePath }));
}

export async function findDeviceView(db: Db, serial: string): Promise<DeviceView | null> {
  const rows = await db
    .select({ device: devices, online: nodes.online, lastSeenAt: nodes.lastSeenAt, placeId: nodes.placeId, placePath: places.path })
    .from(devices)
    .leftJoin(nodes, eq(nodes.id, devices.nodeId))
    .leftJoin(places, eq(places.id, nodes.placeId))
    .where(eq(devices.serial, serial));
  const row = rows[0];
  return row ? { ...row.device, online: row.online, lastSeenAt: row.lastSeenAt, placeId: row.placeId, placePath: row.placePath } : null;
}

export async function setNodePlace(db: Db, nodeId: string, placeId: string): Promise<void> {
  await db.update(nodes).set({ placeId }).where(eq(nodes.id, nodeId));
}
