import { encodeMessage } from "../../shared/codec";
import { CHANNEL_OF, type AckMessage, type HealthMessage, type NodeMessage, type StatusMessage } from "../../shared/messages";
import { nodeTopic } from "../../shared/topics";
import { decodeCommand } from "../../shared/codec";
import { rollUpAll } from "../../cloud/telemetry/rollup";
import type { TestCloud } from "./cloud";

/**
 * Hands a node's message to the cloud's real ingest (validation, sender rules, storage) as if it
 * arrived at `at`: the cloud's clock is moved there for the write, then back. Throws unless stored.
 */
export async function ingestAt(cloud: TestCloud, at: number, message: NodeMessage): Promise<void> {
  const saved = cloud.clock.now;
  cloud.clock.now = at;
  try {
    const outcome = await cloud.ingest.handle(nodeTopic(message.node, CHANNEL_OF[message.type]), new TextEncoder().encode(encodeMessage(message)));
    if (outcome !== "stored") throw new Error(`the ingest answered ${outcome} for ${JSON.stringify(message)}`);
  } finally {
    cloud.clock.now = saved;
  }
}

export function heartbeat(node: string, boot: number, seq: number, fields: Partial<HealthMessage> = {}): HealthMessage {
  return {
    v: 1,
    node,
    boot,
    seq,
    t: seq * 60_000,
    type: "health",
    kind: "smoke",
    firmware: "0.2.0",
    intervalMs: 60_000,
    heap: { freeBytes: 120_000, minFreeBytes: 98_000 },
    rssiDbm: -62,
    resetReason: "power-on",
    sensors: { smoke: "ok" },
    outbox: { depth: 0, capacity: 32, alarms: 0 },
    dropped: { telemetry: 0, event: 0, alarm: 0 },
    ...fields,
  };
}

export function online(node: string, boot: number, seq = 1, firmware = "0.2.0"): StatusMessage {
  return { v: 1, node, boot, seq, t: 10, type: "status", online: true, firmware, willSeq: seq - 1 };
}

/**
 * An hour of a smoke node's life, stored through the ingest and rolled up as the cloud does: a
 * heartbeat and a telemetry reading every 2 minutes ending at `now`, free heap falling from
 * 130 000 to 100 000 bytes, a restart for a task watchdog half-way. Returns the last heartbeat.
 */
export async function smokeNodeHour(cloud: TestCloud, node: string, now: number): Promise<HealthMessage> {
  let last: HealthMessage | undefined;
  let seq = 1;
  let boot = 7;
  await ingestAt(cloud, now - 61 * 60_000, online(node, boot, seq++));
  for (let i = 0; i <= 30; i++) {
    const at = now - (30 - i) * 120_000;
    if (i === 15) {
      boot = 8;
      seq = 1;
      await ingestAt(cloud, at - 5000, online(node, boot, seq++));
      await ingestAt(cloud, at - 4000, { v: 1, node, boot, seq: seq++, t: 900, type: "event", name: "booted", data: { resetReason: "task-wdt", firmware: "0.2.0", restored: false } });
    }
    const free = 130_000 - i * 1000;
    last = heartbeat(node, boot, seq++, { heap: { freeBytes: free, minFreeBytes: free - 12_000 }, rssiDbm: -60 - (i % 5), resetReason: boot === 8 ? "task-wdt" : "power-on" });
    await ingestAt(cloud, at, last);
    await ingestAt(cloud, at + 1000, { v: 1, node, boot, seq: seq++, t: last.t + 1000, type: "telemetry", readings: { smokeRaw: 300 + (i % 7) * 5, smokeBaselineRaw: 298 } });
  }
  await rollUpAll(cloud.database.db);
  return last!;
}

/** The command the app handed to the broker most recently for `node`, as the node would decode it. */
export function lastCommandTo(cloud: TestCloud, node: string) {
  const sent = [...cloud.commands.sent].reverse().find((s) => s.topic === nodeTopic(node, "cmd"));
  if (!sent) return null;
  const decoded = decodeCommand(sent.topic, sent.payload, node);
  if (!decoded.ok) throw new Error(`the cloud sent ${node} a command it would refuse: ${decoded.detail}`);
  return decoded.command;
}

/** The node's answer to a command, through the ingest as it would come over MQTT. */
export function ackOf(node: string, boot: number, seq: number, command: { id: string; op: string }, result: AckMessage["result"], detail?: string): AckMessage {
  return { v: 1, node, boot, seq, t: seq * 1000, type: "ack", command: command.id, op: command.op, result, ...(detail ? { detail } : {}) };
}
