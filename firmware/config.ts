import { isNodeId } from "../shared/protocol";

/** What a node is told at build or provisioning time. Validated before use; a bad one is refused whole. */
export interface NodeConfig {
  nodeId: string;
  firmwareVersion: string;
  mqtt: { host: string; port: number; username?: string; password?: string; keepAliveMs: number };
  /** How often the smoke chamber is read. */
  sampleIntervalMs: number;
  /** How often the latest readings are sent (QoS 0). 0 sends none. */
  telemetryIntervalMs: number;
  smoke: SmokeThresholds;
}

export interface SmokeThresholds {
  /** Raw ADC counts above the clean-air reading at which the alarm is raised. */
  raiseAboveBaseline: number;
  /** Raw counts above clean air below which it clears again (hysteresis). */
  clearBelowBaseline: number;
  /** Consecutive samples a change must persist before it is reported. */
  holdSamples: number;
  /** Clean-air chamber reading, raw counts. */
  baseline: number;
}

/** What every node kind shares: who it is and how it reaches the broker. */
export type LinkConfig = Pick<NodeConfig, "nodeId" | "firmwareVersion" | "mqtt" | "telemetryIntervalMs">;

/** Returns null when the link settings are usable, or the first reason they are not. */
export function linkConfigProblem(config: LinkConfig): string | null {
  if (!isNodeId(config.nodeId)) return "nodeId must be 3–40 characters of a–z, 0–9 and '-'";
  if (!config.mqtt || typeof config.mqtt.host !== "string" || config.mqtt.host.length === 0) return "mqtt.host is required";
  if (!(config.mqtt.port > 0 && config.mqtt.port < 65536)) return "mqtt.port must be 1–65535";
  if (!(config.mqtt.keepAliveMs >= 5000)) return "mqtt.keepAliveMs must be at least 5000";
  if (!(config.telemetryIntervalMs === 0 || config.telemetryIntervalMs >= 1000)) return "telemetryIntervalMs must be 0 or at least 1000";
  return null;
}

/** Returns null when the config is usable, or the first reason it is not. */
export function configProblem(config: NodeConfig): string | null {
  const link = linkConfigProblem(config);
  if (link) return link;
  if (!(config.sampleIntervalMs >= 10 && config.sampleIntervalMs <= 60000)) return "sampleIntervalMs must be 10–60000";
  const s = config.smoke;
  if (!s) return "smoke thresholds are required";
  if (!(s.raiseAboveBaseline > 0)) return "smoke.raiseAboveBaseline must be positive";
  if (!(s.clearBelowBaseline >= 0 && s.clearBelowBaseline < s.raiseAboveBaseline)) {
    return "smoke.clearBelowBaseline must be below raiseAboveBaseline";
  }
  if (!(Number.isInteger(s.holdSamples) && s.holdSamples >= 1 && s.holdSamples <= 64)) return "smoke.holdSamples must be 1–64";
  if (!(s.baseline >= 0)) return "smoke.baseline must be non-negative";
  return null;
}
