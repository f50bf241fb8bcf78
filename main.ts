import config from "mc/config";
import type { NodeConfig } from "./firmware/config";
import { startSmokeNode } from "./firmware/node/smoke-node";
import { OTA_DEFAULTS } from "./firmware/ota/ota-config";
import { esp32Platform } from "./firmware/platform/esp32/platform";

/**
 * Device entry. The Wi-Fi setup module (manifest_net) calls this once the network is up.
 * Pins and defaults come from mc/config, which the manifest builds from the board definition;
 * `mcconfig … node=<id> mqtt_host=<host>` sets the rest at build time; `release_key=<hex>` (the
 * release public key, comma-separated for more than one) turns on over-the-air updates.
 */
export default function main(): void {
  const nodeConfig: NodeConfig = {
    nodeId: config.node,
    firmwareVersion: config.firmware,
    mqtt: { host: config.mqtt_host, port: Number(config.mqtt_port), keepAliveMs: 30_000 },
    sampleIntervalMs: 1000,
    telemetryIntervalMs: 60_000,
    smoke: { baseline: 300, raiseAboveBaseline: 400, clearBelowBaseline: 150, holdSamples: 3 },
  };
  const releaseKeys = String(config.release_key ?? "")
    .split(",")
    .filter((key) => key.length > 0);
  if (releaseKeys.length > 0) nodeConfig.ota = { ...OTA_DEFAULTS, board: config.board, kind: "smoke", releaseKeys };
  const platform = esp32Platform({ pins: config.pins, mqttHost: nodeConfig.mqtt.host, mqttPort: nodeConfig.mqtt.port });
  try {
    startSmokeNode(platform, nodeConfig, Math.random);
  } catch (error) {
    platform.log("error", String(error));
  }
}
