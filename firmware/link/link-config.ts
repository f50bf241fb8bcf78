import { isNodeId } from "../../shared/protocol";

/** What every node kind is told about itself, its broker, its heartbeat and its outbox. */
export interface LinkConfig {
  nodeId: string;
  firmwareVersion: string;
  mqtt: {
    host: string;
    port: number;
    username?: string;
    password?: string;
    keepAliveMs: number;
    /** The first connection after boot waits a random 0 … bootSpreadMs (default 0). */
    bootSpreadMs?: number;
  };
  /** Heartbeat period (default 60 s); the cloud marks the node offline after missing several. */
  healthIntervalMs?: number;
  /** Flash slots of the outbox (default 32: what fits beside the other keys in a 24 KB NVS partition). */
  outboxSlots?: number;
}

export const DEFAULT_HEALTH_INTERVAL_MS = 60_000;
export const DEFAULT_OUTBOX_SLOTS = 32;

/** Null when the link settings are usable, or the first reason they are not. */
export function linkConfigProblem(config: LinkConfig): string | null {
  if (!config || !isNodeId(config.nodeId)) return "nodeId must be 3–40 characters of a–z, 0–9 and '-'";
  if (typeof config.firmwareVersion !== "string" || config.firmwareVersion.length === 0) return "firmwareVersion is required";
  if (!config.mqtt || typeof config.mqtt.host !== "string" || config.mqtt.host.length === 0) return "mqtt.host is required";
  if (!(config.mqtt.port > 0 && config.mqtt.port < 65536)) return "mqtt.port must be 1–65535";
  if (!(config.mqtt.keepAliveMs >= 5000)) return "mqtt.keepAliveMs must be at least 5000";
  if (config.mqtt.bootSpreadMs !== undefined && !(config.mqtt.bootSpreadMs >= 0 && config.mqtt.bootSpreadMs <= 600_000)) {
    return "mqtt.bootSpreadMs must be 0–600000";
  }
  if (config.healthIntervalMs !== undefined && !(config.healthIntervalMs >= 5000 && config.healthIntervalMs <= 3_600_000)) {
    return "healthIntervalMs must be 5000–3600000";
  }
  if (config.outboxSlots !== undefined && !(Number.isInteger(config.outboxSlots) && config.outboxSlots >= 4 && config.outboxSlots <= 999)) {
    return "outboxSlots must be a whole number from 4 to 999";
  }
  return null;
}
