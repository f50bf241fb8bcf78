import { isNodeId } from "../../shared/protocol";
import { nextBootId } from "../link/boot-counter";
import { LinkSession } from "../link/session";
import { Uplink } from "../link/uplink";
import type { Platform } from "../ports/platform";

/** What every node kind is told about itself and its broker. */
export interface LinkConfig {
  nodeId: string;
  firmwareVersion: string;
  mqtt: { host: string; port: number; username?: string; password?: string; keepAliveMs: number };
}

export function linkConfigProblem(config: LinkConfig): string | null {
  if (!config || !isNodeId(config.nodeId)) return "nodeId must be 3–40 characters of a–z, 0–9 and '-'";
  if (typeof config.firmwareVersion !== "string" || config.firmwareVersion.length === 0) return "firmwareVersion is required";
  if (!config.mqtt || typeof config.mqtt.host !== "string" || config.mqtt.host.length === 0) return "mqtt.host is required";
  if (!(config.mqtt.port > 0 && config.mqtt.port < 65536)) return "mqtt.port must be 1–65535";
  if (!(config.mqtt.keepAliveMs >= 5000)) return "mqtt.keepAliveMs must be at least 5000";
  return null;
}

export interface NodeLink {
  bootId: number;
  uplink: Uplink;
  /** Not yet started: attach anything that listens on the session first, then `start()`. */
  session: LinkSession;
}

/** Boot counter, uplink and MQTT session, as every node kind sets them up. */
export function createNodeLink(platform: Platform, config: LinkConfig, random: () => number): NodeLink {
  const { clock, timers, mqtt, storage, log } = platform;
  const bootId = nextBootId(storage);
  const uplink = new Uplink({ nodeId: config.nodeId, bootId, mqtt, clock });
  const session = new LinkSession({
    mqtt,
    uplink,
    timers,
    log,
    random,
    firmwareVersion: config.firmwareVersion,
    credentials: { username: config.mqtt.username, password: config.mqtt.password },
    keepAliveMs: config.mqtt.keepAliveMs,
  });
  return { bootId, uplink, session };
}
