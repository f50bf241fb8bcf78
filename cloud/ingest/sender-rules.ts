import { eq, sql } from "drizzle-orm";
import type { AlarmKind } from "../../shared/alarms";
import { CAPSULE_EVENTS, ELEVATOR_EVENTS } from "../../shared/events";
import type { AlarmMessage, EventMessage, HealthMessage, NodeMessage } from "../../shared/messages";
import type { NodeKind } from "../../shared/node-kinds";
import type { Db } from "../db/client";
import { devices, nodes } from "../db/schema";

/**
 * What a node of each kind may say, checked after the codec (which knows the message, not the
 * sender). The ingest used to believe what a node said it was: a sensor node could raise an
 * urgent `aed-removed`, appear among the elevators, rename its own kind and pin itself online
 * with a boot number of 2^53−1 (issue 12). A node's kind is the one it was registered with when
 * it claimed (its batch's kind); a node that never claimed (a simulated site) is held to the kind
 * it first announced in a heartbeat.
 */
export type SenderRejectReason = "not-for-this-node" | "out-of-range";
export const SENDER_REJECT_REASONS: readonly SenderRejectReason[] = ["not-for-this-node", "out-of-range"];

export interface SenderRefusal {
  reason: SenderRejectReason;
  detail: string;
}

/** Alarms each kind's firmware raises (firmware/node/*-node.ts); a sensor fault any kind may report. */
const ALARMS_OF: Record<NodeKind, ReadonlySet<AlarmKind>> = {
  sensor: new Set(["smoke", "heat", "overcurrent", "leakage", "charge-overrun", "charge-pack-fault", "sensor-fault"]),
  elevator: new Set(["lock-max-hold", "detector-lost", "relay-fault", "sensor-fault"]),
  capsule: new Set(["aed-removed", "door-left-open", "cabinet-temperature", "battery-low", "sensor-fault"]),
};

/** Event names only one kind sends; the link's own (`booted`, `config-applied`, OTA) any kind may. */
const ELEVATOR_ONLY = new Set<string>(ELEVATOR_EVENTS.filter((name) => !(CAPSULE_EVENTS as readonly string[]).includes(name)));
const CAPSULE_ONLY = new Set<string>(CAPSULE_EVENTS.filter((name) => !(ELEVATOR_EVENTS as readonly string[]).includes(name)));

/** The heartbeat's `kind` names the program; the smoke-only program runs on sensor boards. */
const PROGRAM_KIND: Record<string, NodeKind> = { sensor: "sensor", smoke: "sensor", elevator: "elevator", capsule: "capsule" };

/**
 * Ranges no genuine node reaches. `boot` is a flash counter bumped once per start (2^31 starts
 * is a reboot a second for 68 years); `seq` restarts each boot; `t` is ms since boot (2^40 ms
 * is 34 years). A heartbeat period over an hour would let a node hold itself "online" for three
 * of them without a word (the liveness sweep waits three periods).
 */
export const LIMITS = {
  maxBoot: 2 ** 31 - 1,
  maxSeq: 2 ** 31 - 1,
  maxUptimeMs: 2 ** 40,
  maxHeartbeatMs: 3_600_000,
  maxHeapBytes: 64 * 1024 * 1024,
};

/** A firmware version as releases name it (`0.2.0`, `0.1.0-test`): no spaces, quotes or markup. */
const FIRMWARE = /^[0-9A-Za-z][0-9A-Za-z.+_-]{0,31}$/;

/** What the kind cache remembers of a node: the kind it must speak as, when known. */
interface Known {
  kind: NodeKind | null;
  /** From its claim (fixed), or from its first heartbeat (fixed too, once seen). */
  registered: boolean;
  /** A node of no known kind is looked up again after this (its claim or first heartbeat may land meanwhile). */
  until?: number;
}

const UNKNOWN_KIND_TTL_MS = 60_000;

const MAX_CACHED = 50_000;

export class SenderRules {
  #known = new Map<string, Known>();
  /** Built once: the first alarm of each node waits on these before it is stored. */
  #deviceKind;
  #nodeKind;

  constructor(db: Db) {
    this.#deviceKind = db.select({ kind: devices.kind }).from(devices).where(eq(devices.nodeId, sql.placeholder("nodeId"))).limit(1).prepare();
    this.#nodeKind = db.select({ kind: nodes.kind }).from(nodes).where(eq(nodes.id, sql.placeholder("nodeId"))).limit(1).prepare();
  }

  /**
   * Null when the message is one this node may send, else why not. Never throws for a bad
   * message. Answered at once (no promise) when no look-up of the node's kind is needed, as for
   * telemetry, statuses and acks: the ingest's busiest path allocates no promise for it.
   */
  check(message: NodeMessage): SenderRefusal | null | Promise<SenderRefusal | null> {
    const range = rangeProblem(message);
    if (range) return { reason: "out-of-range", detail: range };
    // Telemetry, status and acks say nothing a kind could contradict: no look-up on the busiest path.
    if (message.type !== "alarm" && message.type !== "event" && message.type !== "health") return null;
    return this.#checkKind(message);
  }

  async #checkKind(message: AlarmMessage | EventMessage | HealthMessage): Promise<SenderRefusal | null> {
    const known = await this.#kindOf(message.node);
    const kind = known.kind;
    switch (message.type) {
      case "alarm":
        if (kind && !ALARMS_OF[kind].has(message.kind)) return notFor(`a ${kind} node does not raise ${message.kind} alarms`);
        return null;
      case "event": {
        if (message.state && kind && message.state.kind !== kind) return notFor(`a ${kind} node does not report ${message.state.kind} state`);
        const only = ELEVATOR_ONLY.has(message.name) ? "elevator" : CAPSULE_ONLY.has(message.name) ? "capsule" : null;
        if (only && kind && only !== kind) return notFor(`a ${kind} node does not send ${message.name} events`);
        return null;
      }
      case "health": {
        const announced = PROGRAM_KIND[message.kind];
        if (!announced) return notFor(`heartbeat kind "${message.kind}" is not a node program (sensor, smoke, elevator, capsule)`);
        if (kind && announced !== kind) return notFor(`this node is registered as a ${kind} node and cannot announce itself as ${message.kind}`);
        if (!kind) this.#remember(message.node, { kind: announced, registered: true });
        return null;
      }
      default:
        return null;
    }
  }

  async #kindOf(nodeId: string): Promise<Known> {
    const cached = this.#known.get(nodeId);
    if (cached && (cached.until === undefined || cached.until > Date.now())) return cached;
    const device = await this.#deviceKind.get({ nodeId });
    let known: Known;
    if (device) known = { kind: device.kind as NodeKind, registered: true };
    else {
      const node = await this.#nodeKind.get({ nodeId });
      const announced = node?.kind ? PROGRAM_KIND[node.kind] : undefined;
      known = { kind: announced ?? null, registered: announced !== undefined };
    }
    this.#remember(nodeId, known.registered ? known : { ...known, until: Date.now() + UNKNOWN_KIND_TTL_MS });
    return known;
  }

  #remember(nodeId: string, known: Known): void {
    if (this.#known.size >= MAX_CACHED) this.#known.delete(this.#known.keys().next().value!);
    this.#known.set(nodeId, known);
  }
}

function notFor(detail: string): SenderRefusal {
  return { reason: "not-for-this-node", detail };
}

function rangeProblem(message: NodeMessage): string | null {
  if (message.boot > LIMITS.maxBoot) return `boot ${message.boot} is beyond any node's boot counter (at most ${LIMITS.maxBoot})`;
  if (message.seq > LIMITS.maxSeq) return `seq ${message.seq} is beyond one boot's messages (at most ${LIMITS.maxSeq})`;
  if (message.t > LIMITS.maxUptimeMs) return `t ${message.t} ms is beyond any uptime (at most ${LIMITS.maxUptimeMs})`;
  if (message.type === "status" && !FIRMWARE.test(message.firmware)) return "firmware must be a version such as 0.2.0 (letters, digits, . + _ -)";
  if (message.type === "status" && message.willSeq !== undefined && message.willSeq > LIMITS.maxSeq) return `willSeq is beyond one boot's messages`;
  if (message.type === "health") {
    if (!FIRMWARE.test(message.firmware)) return "firmware must be a version such as 0.2.0 (letters, digits, . + _ -)";
    if (message.intervalMs > LIMITS.maxHeartbeatMs) return `intervalMs ${message.intervalMs} is longer than a heartbeat may be (at most ${LIMITS.maxHeartbeatMs})`;
    if (message.heap && (message.heap.freeBytes > LIMITS.maxHeapBytes || message.heap.minFreeBytes > LIMITS.maxHeapBytes)) return "heap figures must be at most 64 MiB";
  }
  return null;
}
