import { otaConfigProblem, type OtaConfig } from "./ota/ota-config";
import { linkConfigProblem, type LinkConfig } from "./link/link-config";

/** What a smoke node is told at build or provisioning time. Validated before use; a bad one is refused whole. */
export interface NodeConfig extends LinkConfig {
  /** How often the smoke chamber is read. */
  sampleIntervalMs: number;
  /** How often the latest readings are sent (QoS 0). 0 sends none. */
  telemetryIntervalMs: number;
  smoke: SmokeThresholds;
  /** Present when the node takes over-the-air updates (firmware/ota). */
  ota?: OtaConfig;
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

/** Returns null when the config is usable, or the first reason it is not. */
export function configProblem(config: NodeConfig): string | null {
  const link = linkConfigProblem(config);
  if (link) return link;
  if (!(config.sampleIntervalMs >= 10 && config.sampleIntervalMs <= 60000)) return "sampleIntervalMs must be 10–60000";
  if (!(config.telemetryIntervalMs === 0 || config.telemetryIntervalMs >= 1000)) return "telemetryIntervalMs must be 0 or at least 1000";
  const s = config.smoke;
  if (!s) return "smoke thresholds are required";
  if (!(s.raiseAboveBaseline > 0)) return "smoke.raiseAboveBaseline must be positive";
  if (!(s.clearBelowBaseline >= 0 && s.clearBelowBaseline < s.raiseAboveBaseline)) {
    return "smoke.clearBelowBaseline must be below raiseAboveBaseline";
  }
  if (!(Number.isInteger(s.holdSamples) && s.holdSamples >= 1 && s.holdSamples <= 64)) return "smoke.holdSamples must be 1–64";
  if (!(s.baseline >= 0)) return "smoke.baseline must be non-negative";
  if (config.ota) return otaConfigProblem(config.ota);
  return null;
}

/** Settings a config command may change, by the dotted name it uses. Identity and broker settings are not among them. */
const CHANGEABLE: Record<string, (config: NodeConfig, value: number) => void> = {
  sampleIntervalMs: (c, v) => (c.sampleIntervalMs = v),
  telemetryIntervalMs: (c, v) => (c.telemetryIntervalMs = v),
  healthIntervalMs: (c, v) => (c.healthIntervalMs = v),
  "smoke.raiseAboveBaseline": (c, v) => (c.smoke.raiseAboveBaseline = v),
  "smoke.clearBelowBaseline": (c, v) => (c.smoke.clearBelowBaseline = v),
  "smoke.holdSamples": (c, v) => (c.smoke.holdSamples = v),
  "smoke.baseline": (c, v) => (c.smoke.baseline = v),
};

/**
 * The config with `changes` applied, or the reason they are refused. All or nothing: the result
 * passes the same checks as the boot config, and on a refusal the caller keeps the old one.
 */
export function withChanges(config: NodeConfig, changes: Record<string, number>): NodeConfig | string {
  const next: NodeConfig = { ...config, mqtt: { ...config.mqtt }, smoke: { ...config.smoke } };
  for (const key of Object.keys(changes)) {
    const apply = CHANGEABLE[key];
    if (!apply) return `"${key}" cannot be changed remotely (changeable: ${Object.keys(CHANGEABLE).join(", ")})`;
    apply(next, changes[key]);
  }
  return configProblem(next) ?? next;
}
