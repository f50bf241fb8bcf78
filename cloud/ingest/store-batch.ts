import type { InStatement, InValue, ResultSet } from "@libsql/client";
import type { AckMessage, AlarmMessage, EventMessage, HealthMessage, NodeMessage, StatusMessage, TelemetryMessage } from "../../shared/messages";
import type { AlarmRecord } from "../alarms/alarm-record";
import { insertAlarmsSql, recordFromRow } from "../alarms/queries";
import { deriveCapsuleStatesSql } from "../capsules/queries";
import { ackStatement } from "../commands/queries";
import type { Db } from "../db/client";
import { deriveElevatorStatesSql } from "../elevators/queries";
import { insertEventsSql } from "../events/queries";
import { insertHealthSql, latestHealthSql } from "../nodes/health-queries";
import { applyStatusesSql, upsertSightingsSql, type BatchSighting, type NodeStatus } from "../nodes/queries";
import { insertTelemetrySql, LAST_TELEMETRY_ID_SQL, telemetryCopiesSql } from "../telemetry/queries";
import type { SightingBook } from "./sighting-book";

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
 * per-message updates (status, latest heartbeat, command acks), then one statement per device
 * kind deriving the current state of the elevators and capsules whose events came in from their
 * stored events. Arrival order is kept within every table. The hot statements are plain SQL
 * built once per batch: mapping a thousand rows through the ORM cost more than writing them.
 *
 * With a `book`, a node that sent only telemetry may have its row's "last seen" written with a
 * later batch (SightingBook); the caller then keeps its batches and the book's own writes one at
 * a time, in order.
 */
export async function storeBatch(db: Db, messages: NodeMessage[], receivedAt: number, book?: SightingBook): Promise<StoredBatch> {
  if (messages.length > MAX_BATCH) throw new RangeError(`a batch holds at most ${MAX_BATCH} messages`);
  const sightings = new Map<string, BatchSighting>();
  const alarms: AlarmMessage[] = [];
  const telemetry: TelemetryMessage[] = [];
  const events: EventMessage[] = [];
  const elevatorNodes = new Set<string>();
  const capsuleNodes = new Set<string>();
  const health: HealthMessage[] = [];
  const statuses: StatusMessage[] = [];
  const acks: AckMessage[] = [];

  const readingsFrom = new Map<string, TelemetryMessage>();
  /** Nodes that sent something other than telemetry in this batch: their sightings are written now. */
  const notOnlyTelemetry = new Set<string>();
  for (const message of messages) {
    if (message.type !== "telemetry") notOnlyTelemetry.add(message.node);
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
          sighting.readingsFrom = { boot: message.boot, seq: message.seq };
        }
        break;
      }
      case "event":
        events.push(message);
        if (message.state?.kind === "elevator") elevatorNodes.add(message.node);
        else if (message.state?.kind === "capsule") capsuleNodes.add(message.node);
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

  const seen = book ? book.take(sightings.values(), (node) => !notOnlyTelemetry.has(node), receivedAt) : [...sightings.values()];
  const statements: InStatement[] = [];
  const slot = (statement: InStatement): number => statements.push(statement) - 1;
  if (seen.length) slot(upsertSightingsSql(seen));
  const drizzled = (query: { toSQL(): { sql: string; params: unknown[] } }): InStatement => {
    const { sql, params } = query.toSQL();
    return { sql, args: params as InValue[] };
  };
  const alarmSlot = alarms.length ? slot(insertAlarmsSql(alarms, receivedAt)) : -1;
  const lastIdSlot = telemetry.length ? slot(LAST_TELEMETRY_ID_SQL) : -1;
  const telemetrySlot = telemetry.length ? slot(insertTelemetrySql(telemetry, receivedAt)) : -1;
  const eventSlot = events.length ? slot(insertEventsSql(events, receivedAt)) : -1;
  const healthSlot = health.length ? slot(insertHealthSql(health, receivedAt)) : -1;
  if (health.length) slot(latestHealthSql(health, receivedAt));
  // Each node's first status in one statement; a node's later ones each after it, in order.
  let round: NodeStatus[] = [];
  let inRound = new Set<string>();
  for (const message of statuses) {
    if (inRound.has(message.node)) {
      slot(applyStatusesSql(round, receivedAt));
      round = [];
      inRound = new Set();
    }
    inRound.add(message.node);
    round.push({ nodeId: message.node, bootId: message.boot, seq: message.seq, online: message.online, willSeq: message.willSeq, firmware: message.firmware });
  }
  if (round.length) slot(applyStatusesSql(round, receivedAt));
  const ackSlots = acks.map((ack) => slot(drizzled(ackStatement(db, ack, receivedAt))));
  if (elevatorNodes.size) slot(deriveElevatorStatesSql([...elevatorNodes]));
  if (capsuleNodes.size) slot(deriveCapsuleStatesSql([...capsuleNodes]));

  let results: ResultSet[];
  try {
    results = await db.$client.batch(statements, "write");
  } catch (error) {
    // Not written: the next write carries them (a retry of this batch takes its own again).
    book?.restore(seen, receivedAt);
    throw error;
  }

  const inserted = new Set<string>();
  for (const index of [alarmSlot, eventSlot, healthSlot]) {
    if (index < 0) continue;
    for (const row of results[index].rows) inserted.add(key(String(row.node_id), Number(row.boot_id), Number(row.seq)));
  }
  // Telemetry is stored whole unless the insert counted fewer rows than the batch had: then the
  // copies of what was stored before (a replay after a lost PUBACK) are asked for, after the
  // transaction (a row retention deleted meanwhile counts as stored: only the counts differ).
  let telemetryCopies: Set<string> | undefined;
  if (telemetrySlot >= 0 && results[telemetrySlot].rowsAffected < telemetry.length) {
    const lastIdBefore = Number(results[lastIdSlot].rows[0].id);
    const { rows } = await db.$client.execute(telemetryCopiesSql(telemetry, lastIdBefore));
    telemetryCopies = new Set(rows.map((row) => key(String(row.node_id), Number(row.boot_id), Number(row.seq))));
    for (const m of telemetry) {
      const k = key(m.node, m.boot, m.seq);
      if (!telemetryCopies.has(k)) inserted.add(k);
    }
  }
  const settledAcks = new Set<AckMessage>();
  acks.forEach((ack, i) => {
    if (results[ackSlots[i]].rows.length > 0) settledAcks.add(ack);
  });
  const newAlarms = alarmSlot < 0 ? [] : results[alarmSlot].rows.map((row) => recordFromRow(row as unknown as Record<string, unknown>));

  const outcomes = messages.map((message): StoreOutcome => {
    switch (message.type) {
      case "status":
        return "stored";
      case "ack":
        return settledAcks.has(message) ? "stored" : "duplicate";
      default: {
        if (message.type === "telemetry" && !telemetryCopies) return "stored";
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
