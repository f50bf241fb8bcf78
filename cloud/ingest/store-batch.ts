import type { AckMessage, AlarmMessage, EventMessage, HealthMessage, NodeMessage, StatusMessage, TelemetryMessage } from "../../shared/messages";
import type { AlarmRecord } from "../alarms/alarm-record";
import { insertAlarmsStatement, toRecord } from "../alarms/queries";
import { ackStatement } from "../commands/queries";
import type { Db } from "../db/client";
import { insertEventsStatement } from "../events/queries";
import { insertHealthStatement, latestHealthStatement } from "../nodes/health-queries";
import { applyStatement, upsertSightingsStatement, type BatchSighting } from "../nodes/queries";
import { insertTelemetryStatement } from "../telemetry/queries";

export type StoreOutcome = "stored" | "duplicate";

export interface StoredBatch {
  outcomes: StoreOutcome[];
  /** Alarms stored for the first time, in arrival order: each is announced once. */
  newAlarms: AlarmRecord[];
}

/**
 * Most messages one transaction may hold. Every multi-row insert stays below SQLite's 32,766
 * bound variables (SQLITE_MAX_VARIABLE_NUMBER since 3.32): the widest row, a heartbeat, binds 18.
 */
export const MAX_BATCH = 1000;

/**
 * Stores a batch of validated messages in ONE transaction: a multi-row upsert of the nodes heard
 * from, one multi-row insert per message type (each ignoring a (node, boot, seq) it already
 * holds, and returning what it inserted, so each message learns whether it was new), then the
 * per-message updates (status, latest heartbeat, command acks). Arrival order is kept within
 * every table.
 */
export async function storeBatch(db: Db, messages: NodeMessage[], receivedAt: number): Promise<StoredBatch> {
  if (messages.length > MAX_BATCH) throw new RangeError(`a batch holds at most ${MAX_BATCH} messages`);
  const sightings = new Map<string, BatchSighting>();
  const alarms: AlarmMessage[] = [];
  const telemetry: TelemetryMessage[] = [];
  const events: EventMessage[] = [];
  const health: HealthMessage[] = [];
  const statuses: StatusMessage[] = [];
  const acks: AckMessage[] = [];

  const readingsFrom = new Map<string, TelemetryMessage>();
  for (const message of messages) {
    let sighting = sightings.get(message.node);
    if (!sighting) {
      sighting = { nodeId: message.node, bootId: message.boot, at: receivedAt, onlineIfNew: message.type !== "status" || message.online };
      sightings.set(message.node, sighting);
    }
    if (message.boot > sighting.bootId) sighting.bootId = message.boot;
    switch (message.type) {
      case "alarm":
        alarms.push(message);
        break;
      case "telemetry": {
        telemetry.push(message);
        // The newest by (boot, seq), not the last to arrive: a redelivered copy is older.
        const newest = readingsFrom.get(message.node);
        if (!newest || message.boot > newest.boot || (message.boot === newest.boot && message.seq > newest.seq)) {
          readingsFrom.set(message.node, message);
          sighting.readings = message.readings;
        }
        break;
      }
      case "event":
        events.push(message);
        break;
      case "health":
        health.push(message);
        sighting.firmware = message.firmware;
        break;
      case "status":
        statuses.push(message);
        break;
      case "ack":
        acks.push(message);
        break;
    }
  }

  const statements = [upsertSightingsStatement(db, [...sightings.values()])] as unknown[];
  const slot = <T>(statement: T): number => statements.push(statement) - 1;
  const alarmSlot = alarms.length ? slot(insertAlarmsStatement(db, alarms, receivedAt)) : -1;
  const telemetrySlot = telemetry.length ? slot(insertTelemetryStatement(db, telemetry, receivedAt)) : -1;
  const eventSlot = events.length ? slot(insertEventsStatement(db, events, receivedAt)) : -1;
  const healthSlot = health.length ? slot(insertHealthStatement(db, health, receivedAt)) : -1;
  for (const message of health) slot(latestHealthStatement(db, message, receivedAt));
  for (const message of statuses) {
    slot(applyStatement(db, { nodeId: message.node, bootId: message.boot, seq: message.seq, online: message.online, willSeq: message.willSeq, firmware: message.firmware }));
  }
  const ackSlots = acks.map((ack) => slot(ackStatement(db, ack, receivedAt)));

  const results = (await db.batch(statements as unknown as Parameters<Db["batch"]>[0])) as unknown as unknown[];

  const inserted = new Set<string>();
  for (const index of [alarmSlot, telemetrySlot, eventSlot, healthSlot]) {
    if (index < 0) continue;
    for (const row of results[index] as Array<{ nodeId: string; bootId: number; seq: number }>) inserted.add(key(row.nodeId, row.bootId, row.seq));
  }
  const settledAcks = new Set<AckMessage>();
  acks.forEach((ack, i) => {
    if ((results[ackSlots[i]] as unknown[]).length > 0) settledAcks.add(ack);
  });
  const newAlarms = alarmSlot < 0 ? [] : (results[alarmSlot] as Parameters<typeof toRecord>[0][]).map(toRecord);

  const outcomes = messages.map((message): StoreOutcome => {
    switch (message.type) {
      case "status":
        return "stored";
      case "ack":
        return settledAcks.has(message) ? "stored" : "duplicate";
      default: {
        // A copy later in the same batch finds its key already taken by the first.
        const k = key(message.node, message.boot, message.seq);
        return inserted.delete(k) ? "stored" : "duplicate";
      }
    }
  });
  return { outcomes, newAlarms };
}

function key(nodeId: string, bootId: number, seq: number): string {
  return `${nodeId}\u0000${bootId}\u0000${seq}`;
}
