import type { AlarmKind, AlarmState, FaultKind, Severity } from "./alarms";
import type { DeviceState, ReleasedBy } from "./events";
import type { UplinkChannel } from "./topics";

/**
 * Carried by every node-originated message. The cloud deduplicates on (node, boot, seq):
 * `boot` is a counter the node keeps in flash and bumps at each start, `seq` restarts at 1
 * each boot, so a replay after reconnect or reboot is recognised, and `t` (ms since boot)
 * orders messages from one boot without trusting the node's wall clock.
 */
export interface NodeHeader {
  v: 1;
  node: string;
  boot: number;
  seq: number;
  t: number;
}

export interface AlarmMessage extends NodeHeader {
  type: "alarm";
  kind: AlarmKind;
  severity: Severity;
  state: AlarmState;
  /** The measured value that decided, in `unit`. */
  value: number;
  unit: string;
  threshold: number;
  /** The last samples before the decision, oldest first, in `unit`. */
  evidence?: number[];
  /** Spacing of the evidence samples. */
  evidenceIntervalMs?: number;
  /** Which sensor or channel decided (`smoke`, `ntc`, `tmp117`, `ct`, `leakage`), a short identifier. */
  sensor?: string;
  /** For `sensor-fault`, when the node can tell: how the sensor failed. */
  fault?: FaultKind;
  /** The detector's state when it decided (baseline, rate, accumulator…), by names that carry units. */
  detector?: Record<string, number>;
}

export interface TelemetryMessage extends NodeHeader {
  type: "telemetry";
  /** Latest reading per sensor, keyed by a name that says its unit (`temperatureC`, `smokeRaw`). */
  readings: Record<string, number>;
}

export interface StatusMessage extends NodeHeader {
  type: "status";
  online: boolean;
  firmware: string;
  /**
   * On an online status: the seq of this connection's last will. The will is stamped before the
   * online message, so a will with this seq (or a later one) means this very connection died,
   * and a will with an earlier seq is a previous connection's, arriving late.
   */
  willSeq?: number;
}

/**
 * A state change worth keeping (config applied, a hold ended, the AED removed): QoS 1 through the
 * outbox. Elevator and capsule nodes add their state after the event (`state`), so the cloud's
 * current state is the newest event's snapshot; their event names are in shared/events.ts.
 */
export interface EventMessage extends NodeHeader {
  type: "event";
  /** Short kebab-case name: `config-applied`, `hold-end`, `aed-removed`. */
  name: string;
  /** At most 16 small values: the changed settings, a measurement (`temperatureC`), daily counts. */
  data?: Record<string, string | number | boolean>;
  /** The device's state after the event (elevator and capsule nodes). */
  state?: DeviceState;
  /** hold-end: how long the lock was held; door-left-open: how long the door has been open. */
  durationMs?: number;
  /** hold-end: why the hold ended. */
  releasedBy?: ReleasedBy;
  /** A short machine word for a fault (`reset`, `detector-lost`). */
  cause?: string;
}

export const SENSOR_STATES = ["ok", "fault", "unknown"] as const;
export type SensorState = (typeof SENSOR_STATES)[number];

/** The node's heartbeat, every `intervalMs`. Its header's `t` is the uptime. */
export interface HealthMessage extends NodeHeader {
  type: "health";
  /** Node kind: `smoke`, `elevator`, `capsule`. */
  kind: string;
  firmware: string;
  /** Heartbeat period; the cloud marks the node offline after it misses several. */
  intervalMs: number;
  /** Free heap now and the lowest seen since boot; absent where the platform cannot tell. */
  heap?: { freeBytes: number; minFreeBytes: number };
  rssiDbm?: number;
  /** Why the node last started: `power-on`, `software`, `panic`, `task-wdt`, `brownout`, … */
  resetReason: string;
  sensors: Record<string, SensorState>;
  outbox: { depth: number; capacity: number; alarms: number };
  /** Messages the outbox dropped since boot, by kind. Alarms are never dropped to make room. */
  dropped: { telemetry: number; event: number; alarm: number };
  lastError?: string;
}

export const ACK_RESULTS = ["ok", "refused", "failed"] as const;
export type AckResult = (typeof ACK_RESULTS)[number];

/** A command's result, QoS 1 through the outbox. */
export interface AckMessage extends NodeHeader {
  type: "ack";
  /** The command's id; empty when the command was too malformed to carry one. */
  command: string;
  op: string;
  result: AckResult;
  detail?: string;
}

export type NodeMessage = AlarmMessage | TelemetryMessage | StatusMessage | EventMessage | HealthMessage | AckMessage;

/** Which channel each message type travels on. */
export const CHANNEL_OF: { [K in NodeMessage["type"]]: UplinkChannel } = {
  alarm: "alarm",
  telemetry: "telemetry",
  status: "status",
  event: "event",
  health: "health",
  ack: "ack",
};

export const COMMAND_OPS = ["config", "relay-test", "reboot", "display", "enable", "disable", "self-test"] as const;
export type CommandOp = (typeof COMMAND_OPS)[number];

/**
 * A command from the cloud, on the node's `cmd` topic. `id` is the cloud's, echoed in the ack.
 * `config` changes named settings (`telemetryIntervalMs`, `smoke.holdSamples`); the node checks
 * them as it checks its boot config and refuses the whole change with a reason. `display` sets a
 * capsule's display line; `enable` and `disable` switch an elevator's lock on and off;
 * `self-test` checks a node's inputs and outputs and answers with what it found.
 */
export type CommandMessage = { v: 1; type: "command"; id: string; node: string } & (
  | { op: "config"; config: Record<string, number> }
  | { op: "relay-test"; durationMs: number }
  | { op: "reboot" }
  | { op: "display"; text: string }
  | { op: "enable" }
  | { op: "disable" }
  | { op: "self-test" }
);
