import config from "mc/config";
import { capsuleDefaults } from "./firmware/capsule/config";
import type { NodeConfig } from "./firmware/config";
import { elevatorDefaults } from "./firmware/elevator/config";
import type { LinkConfig } from "./firmware/link/link-config";
import { startCapsuleNode } from "./firmware/node/capsule-node";
import { startElevatorNode } from "./firmware/node/elevator-node";
import { startSmokeNode } from "./firmware/node/smoke-node";
import { esp32Platform } from "./firmware/platform/esp32/platform";

/**
 * Device entry. The Wi-Fi setup module (manifest_net) calls this once the network is up.
 * Pins and defaults come from mc/config, which the manifest builds from the board definition;
 * `mcconfig … node=<id> mqtt_host=<host>` sets the rest at build time.
 */
export default function main(): void {
  const nodeConfig: NodeConfig = {
    nodeId: config.node,
    firmwareVersion: config.firmware,
    mqtt: { host: config.mqtt_host, port: Number(config.mqtt_port), keepAliveMs: 30_000, bootSpreadMs: 5000 },
    sampleIntervalMs: 1000,
    telemetryIntervalMs: 60_000,
    healthIntervalMs: 60_000,
    outboxSlots: 32,
    smoke: { baseline: 300, raiseAboveBaseline: 400, clearBelowBaseline: 150, holdSamples: 3 },
  };
  const platform = esp32Platform({ pins: config.pins, mqttHost: nodeConfig.mqtt.host, mqttPort: nodeConfig.mqtt.port });
  // Every kind's link: identity, broker, heartbeat and outbox, as the smoke node's.
  const link: LinkConfig = {
    nodeId: nodeConfig.nodeId,
    firmwareVersion: nodeConfig.firmwareVersion,
    mqtt: nodeConfig.mqtt,
    healthIntervalMs: nodeConfig.healthIntervalMs,
    outboxSlots: nodeConfig.outboxSlots,
  };
  try {
    // `mcconfig … kind=elevator` or `kind=capsule` builds the other node kinds; outputs' drive
    // and the ADC's scale come from the board definition through the manifest.
    if (config.kind === "elevator") startElevatorNode(platform, { ...elevatorDefaults, ...link }, { outputDrive: config.outputDrive }, Math.random);
    else if (config.kind === "capsule") startCapsuleNode(platform, { ...capsuleDefaults, ...link }, { adcFullScaleMv: config.adcFullScaleMv }, Math.random);
    else startSmokeNode(platform, nodeConfig, Math.random);
  } catch (error) {
    platform.log("error", String(error));
  }
}
