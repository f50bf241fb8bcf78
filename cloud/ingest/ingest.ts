import { decodeNodeMessage, type RejectReason } from "../../shared/codec";
import type { NodeMessage } from "../../shared/messages";
import { MAX_PAYLOAD_BYTES } from "../../shared/protocol";
import type { AlarmFeed } from "../alarms/alarm-feed";
import { storeAck } from "../acks/queries";
import { insertAlarm } from "../alarms/queries";
import type { Db } from "../db/client";
import { storeNodeEvent } from "../events/queries";
import type { Logger } from "../log";
import { recordSighting } from "../nodes/queries";

export type IngestOutcome = "stored" | "duplicate" | "rejected" | "failed";

export interface IngestStats {
  received: number;
  stored: number;
  duplicates: number;
  rejected: Record<RejectReason, number>;
  /** Valid messages the database refused; logged with the error. */
  failed: number;
}

export interface Ingest {
  handle(topic: string, payload: Uint8Array): Promise<IngestOutcome>;
  readonly stats: IngestStats;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Validates each message a node sent and stores what it means. A malformed message is counted
 * under its reason and logged, never stored and never thrown: the next message must still flow.
 */
export function createIngest(deps: { db: Db; feed: AlarmFeed; log: Logger; now: () => number }): Ingest {
  const { db, feed, log, now } = deps;
  const stats: IngestStats = {
    received: 0,
    stored: 0,
    duplicates: 0,
    failed: 0,
    rejected: { oversized: 0, "malformed-json": 0, "unknown-version": 0, "invalid-field": 0, "unknown-topic": 0, "topic-mismatch": 0 },
  };

  const reject = (reason: RejectReason, topic: string, detail: string): IngestOutcome => {
    stats.rejected[reason]++;
    log("warn", "ingest rejected a message", { reason, topic: topic.slice(0, 120), detail });
    return "rejected";
  };

  async function store(message: NodeMessage): Promise<IngestOutcome> {
    const at = now();
    switch (message.type) {
      case "alarm": {
        await recordSighting(db, { nodeId: message.node, bootId: message.boot, at, online: true });
        const record = await insertAlarm(db, message, at);
        if (!record) return "duplicate";
        feed.publish(record);
        return "stored";
      }
      case "telemetry":
        await recordSighting(db, { nodeId: message.node, bootId: message.boot, at, readings: message.readings });
        return "stored";
      case "status":
        await recordSighting(db, { nodeId: message.node, bootId: message.boot, at, online: message.online, firmware: message.firmware });
        return "stored";
      case "event":
        await recordSighting(db, { nodeId: message.node, bootId: message.boot, at, online: true });
        return (await storeNodeEvent(db, message, at)) ? "stored" : "duplicate";
      case "ack":
        await recordSighting(db, { nodeId: message.node, bootId: message.boot, at, online: true });
        return (await storeAck(db, message, at)) ? "stored" : "duplicate";
    }
  }

  return {
    stats,
    async handle(topic, payload) {
      stats.received++;
      if (payload.byteLength > MAX_PAYLOAD_BYTES) {
        return reject("oversized", topic, `payload is ${payload.byteLength} bytes; the limit is ${MAX_PAYLOAD_BYTES}`);
      }
      let text: string;
      try {
        text = utf8.decode(payload);
      } catch {
        return reject("malformed-json", topic, "payload is not UTF-8");
      }
      const decoded = decodeNodeMessage(topic, text, payload.byteLength);
      if (!decoded.ok) return reject(decoded.reason, topic, decoded.detail);
      try {
        const outcome = await store(decoded.message);
        if (outcome === "duplicate") stats.duplicates++;
        else stats.stored++;
        return outcome;
      } catch (error) {
        stats.failed++;
        log("error", "ingest could not store a message", { topic, error: (error as Error).message });
        return "failed";
      }
    },
  };
}
