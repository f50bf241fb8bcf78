import type { TelemetryMessage } from "../../shared/messages";
import type { Db } from "../db/client";
import { telemetry } from "../db/schema";

/** Inserts telemetry once each by (node, boot, seq); returns the keys it inserted. */
export function insertTelemetryStatement(db: Db, messages: TelemetryMessage[], receivedAt: number) {
  return db
    .insert(telemetry)
    .values(messages.map((m) => ({ nodeId: m.node, bootId: m.boot, seq: m.seq, nodeTimeMs: m.t, readings: JSON.stringify(m.readings), receivedAt })))
    .onConflictDoNothing({ target: [telemetry.nodeId, telemetry.bootId, telemetry.seq] })
    .returning({ nodeId: telemetry.nodeId, bootId: telemetry.bootId, seq: telemetry.seq });
}
