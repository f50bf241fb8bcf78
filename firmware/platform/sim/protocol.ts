import type { ClaimRefusal } from "../../../shared/claim";
import type { DeviceState } from "../../../shared/events";
import type { CommandMessage } from "../../../shared/messages";
import type { NodeKind } from "../../../shared/node-kinds";
import type { SensorCalibration } from "../../calibration";
import type { CapsuleNodeConfig } from "../../capsule/config";
import type { NodeConfig } from "../../config";
import type { OtaInspection } from "../../ota/ota-agent";
import type { ElevatorNodeConfig } from "../../elevator/config";
import type { Outcome } from "../../link/commands";
import type { CapsuleBoard } from "../../node/capsule-node";
import type { SensingInspection } from "../../node/sensing";
import type { SensorNodeConfig } from "../../node/sensor-node";
import type { ElevatorBoard } from "../../node/elevator-node";
import type { ClaimState } from "../../provisioning/claim";
import type { LogLevel } from "../../ports/log";
import type { MqttConnectOptions } from "../../ports/mqtt";
import type { VoiceModuleState } from "./sim-hardware";
import type { WaveformSpec } from "./sim-io";

interface BootBase {
  op: "boot";
  seed: number;
  pins: Record<string, number>;
  adcResolutionBits: number;
  /** Pin levels already there at power-on (by pin name), as the hardware has them before the first instruction. */
  levels?: Record<string, number>;
  /**
   * A blank node: it claims its identity with these before it starts the kind it was booted as
   * (the config's nodeId is then unused).
   */
  claim?: SimClaim;
  /** Present when the host plays the bootloader (host/sim-partitions.ts): the node can update itself. */
  ota?: { capacityBytes: number };
}

export type SimNodeKind = "smoke" | "sensor" | "elevator" | "capsule";

/** Requests from the host harness into the simulated node (through `handleCommand`). */
export type HostToNode =
  | (BootBase & { kind: "smoke"; config: NodeConfig })
  | (BootBase & { kind: "sensor"; config: SensorNodeConfig; calibration: SensorCalibration })
  | (BootBase & { kind: "elevator"; config: ElevatorNodeConfig; board: ElevatorBoard })
  | (BootBase & { kind: "capsule"; config: CapsuleNodeConfig; board: CapsuleBoard })
  | { op: "advance"; ms: number }
  /** Levels by pin name (`smoke`), mapped to GPIOs through the board's pin map. */
  | { op: "pins"; values: Record<string, number> }
  /** A synthesized waveform on a pin (null: back to its level), read at the node's microsecond clock. */
  | { op: "waveform"; pin: string; waveform: WaveformSpec | null }
  /** Attaches (or, with null, removes) an I2C target with the given 16-bit registers. */
  | { op: "i2c"; address: number; registers: Record<number, number> | null }
  /** A sensor node's new sensing config; answers the reason it was refused, or null. */
  | { op: "sensing"; config: unknown }
  /** Peripherals that keep toggling a pin (a detector's heartbeat): half-period in ms by pin name, null to stop. */
  | { op: "pulses"; values: Record<string, number | null> }
  /** What the simulated circuits outside the chip are doing (relay held, voice, display). */
  | { op: "outputs" }
  /** The CPU hangs: time goes on, the firmware runs no more. */
  | { op: "hang" }
  /** Hands a command to the node's command inbox as if it came on its `cmd` topic; answers with the ack's body. */
  | { op: "command"; command: CommandMessage }
  | { op: "mqtt"; event: "connected" }
  | { op: "mqtt"; event: "published"; packetId: number }
  | { op: "mqtt"; event: "message"; topic: string; payload: string }
  | { op: "mqtt"; event: "disconnected"; reason: string }
  | { op: "inspect" }
  | { op: "stop" };

/** What a blank simulated node is built with, as `mcconfig … claim_batch=… claim_secret=…` builds a board. */
export interface SimClaim {
  batch: string;
  secret: string;
  serial: string;
  board: string;
  kind: NodeKind;
}

export interface NodeInspection {
  now: number;
  /** The id the node runs under: its claimed id, or its build-time one; null while it claims. */
  nodeId: string | null;
  /** Provisioning progress of a node booted blank; null for one with a build-time id. */
  claim: { state: ClaimState; lastRefusal: ClaimRefusal | null } | null;
  samples: number;
  queued: number;
  connected: boolean;
  alarmActive: boolean;
  bootId: number;
  /** The seq the node's next message will carry. */
  nextSeq: number;
  outbox: { depth: number; alarms: number; capacity: number; inFlight: number; dropped: { telemetry: number; event: number; alarm: number } };
  /** Entries the outbox restored from flash at this boot. */
  restored: number;
  connectAttempts: number;
  healthSent: number;
  healthIntervalMs: number;
  /** Smoke nodes: how often readings go out; 0 for kinds that send none. */
  telemetryIntervalMs: number;
  /** The OTA agent's view, when the node takes updates. */
  ota: OtaInspection | null;
  /** Elevator and capsule nodes: their state, as their next event would report it. */
  state?: DeviceState;
  ticks?: number;
  /** Sensor nodes: what their sensing sees. */
  sensing?: SensingInspection;
}

export interface SimOutputs {
  /** The lock relay is energized (holding the car). */
  relayLock?: boolean;
  warningLight?: boolean;
  voice?: VoiceModuleState;
  /** The display's text, null before anything was shown. */
  display?: string | null;
  /** The board's status LED is lit (a self-test lights it a moment). */
  statusLed?: boolean;
}

/** A command's ack body, as the node's inbox decided it. */
export type CommandOutcome = Outcome;

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
  | { op: "system.info" }
  | { op: "system.restart" }
  | { op: "ota.slot.begin"; byteLength: number }
  /** `data` is base64: the bridge carries JSON. */
  | { op: "ota.slot.write"; offset: number; data: string }
  | { op: "ota.slot.read"; offset: number; length: number }
  | { op: "ota.slot.activate" }
  | { op: "ota.slot.abort" }
  | { op: "ota.boot.state" }
  | { op: "ota.boot.markValid" }
  /** Marks the running slot invalid; the host then restarts the node into the previous one. */
  | { op: "ota.boot.rollback" }
  /** Random bytes from the host's CSPRNG, as hex. */
  | { op: "entropy"; byteLength: number };

export type HostReply = { ok: true; value?: unknown } | { ok: false; error: string };
