import type { AlarmKind, AlarmState, Severity } from "./alarms";
import type { AckMessage, EventMessage } from "./events";
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
}

export type NodeMessage = AlarmMessage | TelemetryMessage | StatusMessage | EventMessage | AckMessage;

/** Which channel each message type travels on. */
export const CHANNEL_OF: { [K in NodeMessage["type"]]: UplinkChannel } = {
  alarm: "alarm",
  telemetry: "telemetry",
  status: "status",
  event: "event",
  ack: "ack",
};
