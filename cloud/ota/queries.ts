import { and, desc, eq, inArray, like, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { nodes, otaCampaignNodes, otaCampaigns, otaDevices, otaImages, places } from "../db/schema";

/** The OTA feature's SQL, and only here. */

export type OtaImageRow = typeof otaImages.$inferSelect;
export type CampaignRow = typeof otaCampaigns.$inferSelect;
export type CampaignNodeRow = typeof otaCampaignNodes.$inferSelect;
export type DeviceRow = typeof otaDevices.$inferSelect;

export async function findImage(db: Db, sha256: string): Promise<OtaImageRow | undefined> {
  const [row] = await db.select().from(otaImages).where(eq(otaImages.sha256, sha256));
  return row;
}

export async function findRelease(db: Db, board: string, kind: string, version: string): Promise<OtaImageRow | undefined> {
  const [row] = await db
    .select()
    .from(otaImages)
    .where(and(eq(otaImages.board, board), eq(otaImages.kind, kind), eq(otaImages.version, version)));
  return row;
}

/** Inserts unless the hash is already stored; returns the row either way. */
export async function insertImage(db: Db, row: OtaImageRow): Promise<{ row: OtaImageRow; created: boolean }> {
  const [stored] = await db.insert(otaImages).values(row).onConflictDoNothing().returning();
  if (stored) return { row: stored, created: true };
  return { row: (await findImage(db, row.sha256))!, created: false };
}

export async function listImages(db: Db): Promise<OtaImageRow[]> {
  return db.select().from(otaImages).orderBy(desc(otaImages.uploadedAt));
}

/** Records what a node reported about its firmware; an older report (by boot, then node time) changes nothing. */
export async function upsertDevice(db: Db, row: DeviceRow): Promise<void> {
  await db
    .insert(otaDevices)
    .values(row)
    .onConflictDoUpdate({
      target: otaDevices.nodeId,
      set: { board: row.board, kind: row.kind, running: row.running, state: row.state, reportBoot: row.reportBoot, reportT: row.reportT, updatedAt: row.updatedAt },
      setWhere: sql`${otaDevices.reportBoot} < ${row.reportBoot} OR (${otaDevices.reportBoot} = ${row.reportBoot} AND ${otaDevices.reportT} <= ${row.reportT})`,
    });
}

export async function getDevice(db: Db, nodeId: string): Promise<DeviceRow | undefined> {
  const [row] = await db.select().from(otaDevices).where(eq(otaDevices.nodeId, nodeId));
  return row;
}

/**
 * Nodes of `board` and `kind` as their OTA reports describe them, optionally only those whose
 * installed place lies within `placeId` (nodes.place_id → places.path prefix) and those running
 * `fromVersion`.
 */
export async function targetDevices(db: Db, target: { board: string; kind: string; placeId?: string; fromVersion?: string }): Promise<DeviceRow[]> {
  const conditions = [eq(otaDevices.board, target.board), eq(otaDevices.kind, target.kind)];
  if (target.fromVersion) conditions.push(eq(otaDevices.running, target.fromVersion));
  if (target.placeId === undefined) return db.select().from(otaDevices).where(and(...conditions));
  const [root] = await db.select().from(places).where(eq(places.id, target.placeId));
  if (!root) return [];
  const rows = await db
    .select({ device: otaDevices })
    .from(otaDevices)
    .innerJoin(nodes, eq(nodes.id, otaDevices.nodeId))
    .innerJoin(places, eq(places.id, nodes.placeId))
    .where(and(...conditions, like(places.path, `${escapeLike(root.path)}%`)));
  return rows.map((row) => row.device);
}

function escapeLike(text: string): string {
  // Place ids are a–z, 0–9 and '-', so a path has no LIKE wildcards; this keeps it so if that rule loosens.
  return text.replace(/[%_]/g, "");
}

/** Nodes taking part, not yet finished, in campaigns that are running or paused: they are not offered a second update. */
export async function nodesInActiveCampaigns(db: Db): Promise<Set<string>> {
  const rows = await db
    .select({ nodeId: otaCampaignNodes.nodeId })
    .from(otaCampaignNodes)
    .innerJoin(otaCampaigns, eq(otaCampaigns.id, otaCampaignNodes.campaignId))
    .where(
      and(
        inArray(otaCampaigns.status, ["running", "paused"]),
        inArray(otaCampaignNodes.state, ["pending", "offered", "deferred", "downloading", "verified", "applied"]),
      ),
    );
  return new Set(rows.map((row) => row.nodeId));
}

export async function insertCampaign(db: Db, campaign: CampaignRow, members: CampaignNodeRow[]): Promise<void> {
  // One batch (one transaction, never an interactive one: openDatabase's single connection).
  const chunks = [];
  for (let i = 0; i < members.length; i += 200) chunks.push(db.insert(otaCampaignNodes).values(members.slice(i, i + 200)));
  await db.batch([db.insert(otaCampaigns).values(campaign), ...chunks]);
}

export async function getCampaign(db: Db, id: string): Promise<CampaignRow | undefined> {
  const [row] = await db.select().from(otaCampaigns).where(eq(otaCampaigns.id, id));
  return row;
}

export async function listCampaigns(db: Db): Promise<CampaignRow[]> {
  return db.select().from(otaCampaigns).orderBy(desc(otaCampaigns.createdAt));
}

export async function campaignsWithStatus(db: Db, statuses: CampaignRow["status"][]): Promise<CampaignRow[]> {
  return db.select().from(otaCampaigns).where(inArray(otaCampaigns.status, statuses));
}

export async function updateCampaign(db: Db, id: string, changes: Partial<CampaignRow>): Promise<void> {
  await db.update(otaCampaigns).set(changes).where(eq(otaCampaigns.id, id));
}

export async function campaignNodes(db: Db, campaignId: string, state?: string): Promise<CampaignNodeRow[]> {
  const where = state ? and(eq(otaCampaignNodes.campaignId, campaignId), eq(otaCampaignNodes.state, state)) : eq(otaCampaignNodes.campaignId, campaignId);
  return db.select().from(otaCampaignNodes).where(where).orderBy(otaCampaignNodes.stage, otaCampaignNodes.nodeId);
}

export async function campaignNode(db: Db, campaignId: string, nodeId: string): Promise<CampaignNodeRow | undefined> {
  const [row] = await db
    .select()
    .from(otaCampaignNodes)
    .where(and(eq(otaCampaignNodes.campaignId, campaignId), eq(otaCampaignNodes.nodeId, nodeId)));
  return row;
}

/** Campaign memberships of one node that are still under way. */
export async function activeMemberships(db: Db, nodeId: string): Promise<CampaignNodeRow[]> {
  return db
    .select({ member: otaCampaignNodes })
    .from(otaCampaignNodes)
    .innerJoin(otaCampaigns, eq(otaCampaigns.id, otaCampaignNodes.campaignId))
    .where(and(eq(otaCampaignNodes.nodeId, nodeId), eq(otaCampaigns.status, "running")))
    .then((rows) => rows.map((row) => row.member));
}

/** Applies many node changes of one campaign in one transaction (a tick touches hundreds at once). */
export async function updateCampaignNodes(db: Db, campaignId: string, changes: Array<{ nodeId: string; set: Partial<CampaignNodeRow> }>): Promise<void> {
  if (changes.length === 0) return;
  const [first, ...rest] = changes.map((change) =>
    db
      .update(otaCampaignNodes)
      .set(change.set)
      .where(and(eq(otaCampaignNodes.campaignId, campaignId), eq(otaCampaignNodes.nodeId, change.nodeId))),
  );
  await db.batch([first, ...rest]);
}
