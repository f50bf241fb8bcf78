import type { NodeConfig } from "../../config";
import type { OtaInspection } from "../../ota/ota-agent";
import type { LogLevel } from "../../ports/log";
import type { MqttConnectOptions } from "../../ports/mqtt";

/** Requests from the host harness into the simulated node (through `handleCommand`). */
export type HostToNode =
  | {
      op: "boot";
      kind: "smoke";
      config: NodeConfig;
      seed: number;
      pins: Record<string, number>;
      adcResolutionBits: number;
      /** Present when the host plays the bootloader (host/sim-partitions.ts): the node can update itself. */
      ota?: { capacityBytes: number };
    }
  | { op: "advance"; ms: number }
  /** Levels by pin name (`smoke`), mapped to GPIOs through the board's pin map. */
  | { op: "pins"; values: Record<string, number> }
  | { op: "mqtt"; event: "connected" }
  | { op: "mqtt"; event: "published"; packetId: number }
  | { op: "mqtt"; event: "message"; topic: string; payload: string }
  | { op: "mqtt"; event: "disconnected"; reason: string }
  | { op: "inspect" }
  | { op: "stop" };

export interface NodeInspection {
  now: number;
  samples: number;
  queued: number;
  connected: boolean;
  alarmActive: boolean;
  ota: OtaInspection | null;
}

/** Requests from the node to the host (through `issueCommand`), answered synchronously. */
export type NodeToHost =
  | { op: "log"; level: LogLevel; message: string }
  | { op: "mqtt.connect"; options: MqttConnectOptions }
  | { op: "mqtt.publish"; topic: string; payload: string; qos: 0 | 1; retain: boolean; packetId: number }
  | { op: "mqtt.subscribe"; filter: string }
  | { op: "mqtt.close" }
  | { op: "storage.get"; key: string }
  | { op: "storage.set"; key: string; value: string }
  | { op: "storage.delete"; key: string }
  | { op: "ota.slot.begin"; byteLength: number }
  /** `data` is base64: the bridge carries JSON. */
  | { op: "ota.slot.write"; offset: number; data: string }
  | { op: "ota.slot.read"; offset: number; length: number }
  | { op: "ota.slot.activate" }
  | { op: "ota.slot.abort" }
  | { op: "ota.boot.state" }
  | { op: "ota.boot.markValid" }
  | { op: "ota.boot.rollback" }
  | { op: "ota.boot.restart" };

export type HostReply = { ok: true; value?: unknown } | { ok: false; error: string };
