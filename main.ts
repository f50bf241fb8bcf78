import config from "mc/config";
import { isBatchId } from "./shared/claim";
import { isNodeKind } from "./shared/node-kinds";
import type { SensorCalibration } from "./firmware/calibration";
import { startSensorNode, type SensorNodeConfig } from "./firmware/node/sensor-node";
import { OTA_DEFAULTS } from "./firmware/ota/ota-config";
import { chipSerial } from "./firmware/platform/esp32/chip-serial";
import { hardwareEntropy } from "./firmware/platform/esp32/hardware-entropy";
import { esp32Platform } from "./firmware/platform/esp32/platform";
import { withIdentity } from "./firmware/provisioning/identity";
import { bootProvisioned } from "./firmware/provisioning/provisioned-boot";
import { defaultSensingConfig } from "./firmware/sensing-config";

/**
 * Device entry. The Wi-Fi setup module (manifest_net) calls this once the network is up.
 * Pins, sensor coefficients and defaults come from mc/config, which `npm run hardware` builds
 * into the manifest from the board and node-kind definitions.
 * A fleet build (`npx shouwang batch flash-command <batch>` prints its mcconfig line) sets
 * claim_batch and claim_secret: the node claims its identity at first boot. A development build
 * sets node=<id> instead and connects under that id with no credentials. `release_key=<hex>` (the
 * release public key; comma-separated for more than one) turns on over-the-air updates.
 */
export default function main(): void {
  const base: SensorNodeConfig = {
    nodeId: config.node,
    firmwareVersion: config.firmware,
    mqtt: { host: config.mqtt_host, port: Number(config.mqtt_port), keepAliveMs: 30_000, bootSpreadMs: 5000 },
    telemetryIntervalMs: 60_000,
    healthIntervalMs: 60_000,
    outboxSlots: 32,
    sensing: defaultSensingConfig(),
  };
  const calibration = config.sensors as SensorCalibration;
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
        start: (identity) => startSensorNode(platform, withIdentity(base, identity), calibration, Math.random),
      });
    } else if (config.node) {
      startSensorNode(platform, base, calibration, Math.random);
    } else {
      throw new Error("no identity: build with claim_batch=… claim_secret=… (a fleet build) or node=<id> (development)");
    }
  } catch (error) {
    platform.log("error", String(error));
  }
}
