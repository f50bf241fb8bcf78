import { and, desc, eq } from "drizzle-orm";
import type { AckMessage } from "../../shared/events";
import type { Db } from "../db/client";
import { commandAcks } from "../db/schema";

export interface AckRecord {
  nodeId: string;
  commandId: string;
  command: string;
  ok: boolean;
  detail: string;
  receivedAt: string;
}

/** Stores a node's answer to a command once; false when (node, boot, seq) was already stored. */
export async function storeAck(db: Db, message: AckMessage, receivedAt: number): Promise<boolean> {
  const rows = await db
    .insert(commandAcks)
    .values({
      nodeId: message.node,
      bootId: message.boot,
      seq: message.seq,
      commandId: message.id,
      command: message.command,
      ok: message.ok,
      detail: message.detail,
      receivedAt,
    })
    .onConflictDoNothing({ target: [commandAcks.nodeId, commandAcks.bootId, commandAcks.seq] })
    .returning({ id: commandAcks.id });
  return rows.length > 0;
}

/** A node's acks, newest first, optionally for one command id. */
export async function listAcks(db: Db, nodeId: string, commandId?: string): Promise<AckRecord[]> {
  const conditions = [eq(commandAcks.nodeId, nodeId)];
  if (commandId !== undefined) conditions.push(eq(commandAcks.commandId, commandId));
  const rows = await db
    .select()
    .from(commandAcks)
    .where(and(...conditions))
    .orderBy(desc(commandAcks.id))
    .limit(100);
  return rows.map((row) => ({
    nodeId: row.nodeId,
    commandId: row.commandId,
    command: row.command,
    ok: row.ok,
    detail: row.detail,
    receivedAt: new Date(row.receivedAt).toISOString(),
  }));
}
