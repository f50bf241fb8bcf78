import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../db/client";
import { chatRobots, places } from "../db/schema";

export type ChatRobotRow = typeof chatRobots.$inferSelect;

export async function insertChatRobot(db: Db, robot: Omit<typeof chatRobots.$inferInsert, "id" | "active">): Promise<ChatRobotRow> {
  const [row] = await db.insert(chatRobots).values(robot).returning();
  return row;
}

/** The list an admin sees: where, which kind, on or off; never the URL's key or the secret. */
export async function listChatRobots(db: Db) {
  const rows = await db.select({ robot: chatRobots, placeName: places.name }).from(chatRobots).leftJoin(places, eq(places.id, chatRobots.placeId)).orderBy(chatRobots.id);
  return rows.map(({ robot, placeName }) => ({
    id: robot.id,
    placeId: robot.placeId,
    placeName,
    kind: robot.kind,
    name: robot.name,
    host: new URL(robot.url).host,
    signed: robot.secret !== null,
    active: robot.active,
    createdAt: new Date(robot.createdAt).toISOString(),
  }));
}

export async function getChatRobot(db: Db, id: number): Promise<ChatRobotRow | undefined> {
  const [row] = await db.select().from(chatRobots).where(eq(chatRobots.id, id));
  return row;
}

export async function setChatRobotActive(db: Db, id: number, active: boolean): Promise<boolean> {
  const rows = await db.update(chatRobots).set({ active }).where(eq(chatRobots.id, id)).returning({ id: chatRobots.id });
  return rows.length > 0;
}

/** The active robots of the places a path runs through (a community's group, its compound's). */
export async function robotsOnPath(db: Db, path: string): Promise<ChatRobotRow[]> {
  const ids = path.split("/").filter(Boolean);
  if (!ids.length) return [];
  return db.select().from(chatRobots).where(and(inArray(chatRobots.placeId, ids), eq(chatRobots.active, true))).orderBy(chatRobots.id);
}
