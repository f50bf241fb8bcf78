import { and, desc, eq } from "drizzle-orm";
import type { AckMessage, CommandOp } from "../../shared/messages";
import type { Db } from "../db/client";
import { commands, type CommandStatus } from "../db/schema";

export interface CommandRecord {
  id: string;
  nodeId: string;
  op: string;
  args: Record<string, unknown> | null;
  status: CommandStatus;
  detail: string | null;
  createdBy: string | null;
  createdAt: string;
  ackedAt: string | null;
}

type CommandRow = typeof commands.$inferSelect;

function toRecord(row: CommandRow): CommandRecord {
  return {
    id: row.id,
    nodeId: row.nodeId,
    op: row.op,
    args: row.args ? (JSON.parse(row.args) as Record<string, unknown>) : null,
    status: row.status,
    detail: row.detail,
    createdBy: row.createdBy,
    createdAt: new Date(row.createdAt).toISOString(),
    ackedAt: row.ackedAt === null ? null : new Date(row.ackedAt).toISOString(),
  };
}

export async function insertCommand(
  db: Db,
  command: { id: string; nodeId: string; op: CommandOp; args: Record<string, unknown> | null; createdBy: string | null },
  at: number,
): Promise<CommandRecord> {
  const [row] = await db
    .insert(commands)
    .values({ ...command, args: command.args ? JSON.stringify(command.args) : null, status: "sent", createdAt: at })
    .returning();
  return toRecord(row);
}

/**
 * Records a node's ack. Only the node the command was sent to can settle it, and only once: a
 * replayed ack, or one naming another node's command, changes nothing.
 */
export function ackStatement(db: Db, ack: AckMessage, at: number) {
  return db
    .update(commands)
    .set({ status: ack.result, detail: ack.detail ?? null, ackedAt: at })
    .where(and(eq(commands.id, ack.command), eq(commands.nodeId, ack.node), eq(commands.status, "sent")))
    .returning({ id: commands.id });
}

export async function getCommand(db: Db, nodeId: string, id: string): Promise<CommandRecord | null> {
  const [row] = await db.select().from(commands).where(and(eq(commands.id, id), eq(commands.nodeId, nodeId)));
  return row ? toRecord(row) : null;
}

export async function listCommands(db: Db, nodeId: string, limit: number): Promise<CommandRecord[]> {
  const rows = await db.select().from(commands).where(eq(commands.nodeId, nodeId)).orderBy(desc(commands.createdAt)).limit(limit);
  return rows.map(toRecord);
}

/** The broker could not take it: the command failed without reaching the node. */
export async function markCommandUnsent(db: Db, id: string, reason: string): Promise<void> {
  await db.update(commands).set({ status: "failed", detail: `not sent: ${reason}` }).where(eq(commands.id, id));
}
