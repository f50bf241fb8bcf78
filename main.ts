import config from "mc/config";
import { isBatchId } from "./shared/claim";
import { isNodeKind } from "./shared/node-kinds";
import type { SensorCalibration } from "./firmware/calibration";
import { capsuleDefaults } from "./firmware/capsule/config";
import { elevatorDefaults } from "./firmware/elevator/config";
import type { LinkConfig } from "./firmware/link/link-config";
import { startCapsuleNode } from "./firmware/node/capsule-node";
import { startElevatorNode } from "./firmware/node/elevator-node";
import { startSensorNode, type SensorNodeConfig } from "./firmware/node/sensor-node";
import { OTA_DEFAULTS } from "./firmware/ota/ota-config";
import { chipSerial } from "./firmware/platform/esp32/chip-serial";
import { hardwareEntropy } from "./firmware/platform/esp32/hardware-entropy";
import { bringUpNetwork } from "./firmware/platform/esp32/network-setup";
import { esp32Platform } from "./firmware/platform/esp32/platform";
import { withIdentity, type NodeIdentity } from "./firmware/provisioning/identity";
import { bootProvisioned, type Running } from "./firmware/provisioning/provisioned-boot";
import { defaultCableSettings, defaultSensingConfig, type SensingConfig } from "./firmware/sensing-config";

/**
 * Device entry. The SDK's network setup (manifest_net) has no SSID to join, so it calls this at once;
 * the node then joins the Wi-Fi network an installer gave it (`bringUpNetwork`: Improv over
 * Bluetooth or USB serial, or the access-point page with `setup_softap=1`) and starts its work.
 * Pins, the ADC's scale, the sensor node's calibration and the outputs' drive come from mc/config,
 * which `npm run hardware` builds into the manifest from the board and node-kind definitions.
 * A fleet build (`npx shouwang batch flash-command <batch>` prints its mcconfig line) sets
 * claim_batch and claim_secret: the node claims its identity at first boot. A development build
 * sets node=<id> instead and connects under that id with no credentials. `kind` (sensor, elevator,
 * capsule) picks the node program; a claimed node starts the kind it was built as. `release_key=<hex>`
 * (the release public key; comma-separated for more than one) turns on over-the-air updates.
 */
export default function main(): void {
  // The sensor kind's BOM fits a cable-temperature probe on the metered circuit (GB 14287.3).
  const sensing: SensingConfig = defaultSensingConfig();
  sensing.electrical!.cable = defaultCableSettings();
  const base: SensorNodeConfig = {
    nodeId: config.node,
    firmwareVersion: config.firmware,
    mqtt: { host: config.mqtt_host, port: Number(config.mqtt_port), keepAliveMs: 30_000, bootSpreadMs: 5000 },
    telemetryIntervalMs: 60_000,
    healthIntervalMs: 60_000,
    outboxSlots: 32,
    sensing,
  };
  const releaseKeys = String(config.release_key ?? "")
    .split(",")
    .filter((key) => key.length > 0);
  if (releaseKeys.length > 0) base.ota = { ...OTA_DEFAULTS, board: config.board, kind: "sensor", releaseKeys };
  const platform = esp32Platform({ pins: config.pins, mqttHost: base.mqtt.host, mqttPort: base.mqtt.port });
  // Every kind's link (identity, broker, heartbeat, outbox) is the sensor node's; a claim replaces the identity.
  const link: LinkConfig = {
    nodeId: base.nodeId,
    firmwareVersion: base.firmwareVersion,
    mqtt: base.mqtt,
    healthIntervalMs: base.healthIntervalMs,
    outboxSlots: base.outboxSlots,
  };
  // `kind=elevator` or `kind=capsule` builds the other node kinds; outputs' drive and the ADC's
  // scale come from the board definition through the manifest.
  const startKind = (identity: NodeIdentity | null): Running => {
    if (config.kind === "elevator") {
      const elevator = { ...elevatorDefaults, ...link };
      return startElevatorNode(platform, identity ? withIdentity(elevator, identity) : elevator, { outputDrive: config.outputDrive }, Math.random);
    }
    if (config.kind === "capsule") {
      const capsule = { ...capsuleDefaults, ...link };
      return startCapsuleNode(platform, identity ? withIdentity(capsule, identity) : capsule, { adcFullScaleMv: config.adcFullScaleMv }, Math.random);
    }
    return startSensorNode(platform, identity ? withIdentity(base, identity) : base, config.sensors as SensorCalibration, Math.random);
  };
  const run = () => {
    try {
      if (!isNodeKind(config.kind)) throw new Error(`kind "${config.kind}" is none of sensor, elevator, capsule`);
      if (config.claim_batch) {
        if (!isBatchId(config.claim_batch) || !config.claim_secret) {
          throw new Error("claim_batch and claim_secret must both be set for a fleet build");
        }
        bootProvisioned({
          platform,
          entropy: hardwareEntropy,
          random: Math.random,
          settings: {
            batch: config.claim_batch,
            secret: config.claim_secret,
            serial,
            board: config.board,
            kind: config.kind,
            firmwareVersion: base.firmwareVersion,
            keepAliveMs: base.mqtt.keepAliveMs,
          },
          resetPin: config.pins.factoryReset,
          start: (identity) => startKind(identity),
        });
      } else if (config.node) {
        startKind(null);
      } else {
        throw new Error("no identity: build with claim_batch=… claim_secret=… (a fleet build) or node=<id> (development)");
      }
    } catch (error) {
      platform.log("error", String(error));
    }
  };
  const serial = chipSerial();
  bringUpNetwork({
    platform,
    info: {
      firmware: `shouwang-${config.kind}`,
      version: base.firmwareVersion,
      chipFamily: String(config.board).includes("s3") ? "ESP32-S3" : "ESP32",
      deviceName: `SW-${config.kind}-${serial.slice(-6)}`,
    },
    nextUrl: config.console_url ? `${config.console_url}/#/install/${serial}` : undefined,
    setupPin: config.pins.factoryReset,
    statusLedPin: config.pins.statusLed,
    softAp: Boolean(Number(config.setup_softap ?? 0)),
    online: run,
  });
}
