import config from "mc/config";
import { isBatchId } from "./shared/claim";
import { isNodeKind } from "./shared/node-kinds";
import type { NodeConfig } from "./firmware/config";
import { startSmokeNode } from "./firmware/node/smoke-node";
import { OTA_DEFAULTS } from "./firmware/ota/ota-config";
import { chipSerial } from "./firmware/platform/esp32/chip-serial";
import { hardwareEntropy } from "./firmware/platform/esp32/hardware-entropy";
import { esp32Platform } from "./firmware/platform/esp32/platform";
import { withIdentity } from "./firmware/provisioning/identity";
import { bootProvisioned } from "./firmware/provisioning/provisioned-boot";

/**
 * Device entry. The Wi-Fi setup module (manifest_net) calls this once the network is up.
 * Pins and defaults come from mc/config, which the manifest builds from the board definition.
 * A fleet build (`npx shouwang batch flash-command <batch>` prints its mcconfig line) sets
 * claim_batch and claim_secret: the node claims its identity at first boot. A development build
 * sets node=<id> instead and connects under that id with no credentials. `release_key=<hex>` (the
 * release public key; comma-separated for more than one) turns on over-the-air updates.
 */
export default function main(): void {
  const base: NodeConfig = {
    nodeId: config.node,
    firmwareVersion: config.firmware,
    mqtt: { host: config.mqtt_host, port: Number(config.mqtt_port), keepAliveMs: 30_000, bootSpreadMs: 5000 },
    sampleIntervalMs: 1000,
    telemetryIntervalMs: 60_000,
    healthIntervalMs: 60_000,
    outboxSlots: 32,
    smoke: { baseline: 300, raiseAboveBaseline: 400, clearBelowBaseline: 150, holdSamples: 3 },
  };
  const releaseKeys = String(config.release_key ?? "")
    .split(",")
    .filter((key) => key.length > 0);
  if (releaseKeys.length > 0) base.ota = { ...OTA_DEFAULTS, board: config.board, kind: "sensor", releaseKeys };
  const platform = esp32Platform({ pins: config.pins, mqttHost: base.mqtt.host, mqttPort: base.mqtt.port });
  try {
    if (config.kind !== "sensor") {
      throw new Error(`this firmware runs sensor nodes; kind "${config.kind}" has no node program yet`);
    }
    if (config.claim_batch) {
      if (!isBatchId(config.claim_batch) || !config.claim_secret || !isNodeKind(config.kind)) {
        throw new Error("claim_batch, claim_secret and kind must all be set for a fleet build");
      }
      bootProvisioned({
        platform,
        entropy: hardwareEntropy,
        random: Math.random,
        settings: {
          batch: config.claim_batch,
          secret: config.claim_secret,
          serial: chipSerial(),
          board: config.board,
          kind: config.kind,
          firmwareVersion: base.firmwareVersion,
          keepAliveMs: base.mqtt.keepAliveMs,
        },
        resetPin: config.pins.factoryReset,
        start: (identity) => startSmokeNode(platform, withIdentity(base, identity), Math.random),
      });
    } else if (config.node) {
      startSmokeNode(platform, base, Math.random);
    } else {
      throw new Error("no identity: build with claim_batch=… claim_secret=… (a fleet build) or node=<id> (development)");
    }
  } catch (error) {
    platform.log("error", String(error));
  }
}
