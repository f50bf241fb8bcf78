import { isBatchId } from "../../shared/claim";
import { isNodeKind } from "../../shared/node-kinds";
import type { OutputDrive } from "../actuators/held-output";
import type { SensorCalibration } from "../calibration";
import { capsuleDefaults } from "../capsule/config";
import { elevatorDefaults } from "../elevator/config";
import type { LinkConfig } from "../link/link-config";
import { OTA_DEFAULTS } from "../ota/ota-config";
import type { Entropy } from "../ports/entropy";
import type { Platform } from "../ports/platform";
import { withIdentity, type NodeIdentity } from "../provisioning/identity";
import { bootProvisioned, type Running } from "../provisioning/provisioned-boot";
import { defaultCableSettings, defaultSensingConfig, type SensingConfig } from "../sensing-config";
import { startCapsuleNode } from "./capsule-node";
import { startElevatorNode } from "./elevator-node";
import { startSensorNode, type SensorNodeConfig } from "./sensor-node";

/** What a build's `mc/config` says about the node (manifest.json's `config` and its board's platform `config`). */
export interface NodeBuildConfig {
  node: string;
  kind: string;
  claim_batch: string;
  claim_secret: string;
  firmware: string;
  mqtt_host: string;
  mqtt_port: number | string;
  release_key?: string;
  board: string;
  pins: Record<string, number>;
  adcFullScaleMv: number;
  outputDrive: { relayLock: OutputDrive; warningLight: OutputDrive };
  sensors: unknown;
}

/** The sensor node's settings, whose link (identity, broker, heartbeat, outbox) every kind shares. */
export function sensorNodeConfig(config: NodeBuildConfig): SensorNodeConfig {
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
  return base;
}

/**
 * Starts the node program the build names (`kind`), the same on every platform: under the
 * identity in flash or the one a claim brings (a fleet build sets `claim_batch` and
 * `claim_secret`), or under the fixed `node` id of a development build. A bad build is logged,
 * not thrown: there is nobody to catch it.
 */
export function bootNode(options: { platform: Platform; config: NodeBuildConfig; serial: string; entropy: Entropy; random: () => number }): void {
  const { platform, config, random } = options;
  const base = sensorNodeConfig(config);
  const link: LinkConfig = {
    nodeId: base.nodeId,
    firmwareVersion: base.firmwareVersion,
    mqtt: base.mqtt,
    healthIntervalMs: base.healthIntervalMs,
    outboxSlots: base.outboxSlots,
  };
  // firmware/kinds/elevator or capsule's manifest builds the other node kinds; outputs' drive and the ADC's
  // scale come from the board definition through the manifest.
  const startKind = (identity: NodeIdentity | null): Running => {
    if (config.kind === "elevator") {
      const elevator = { ...elevatorDefaults, ...link };
      return startElevatorNode(platform, identity ? withIdentity(elevator, identity) : elevator, { outputDrive: config.outputDrive }, random);
    }
    if (config.kind === "capsule") {
      const capsule = { ...capsuleDefaults, ...link };
      return startCapsuleNode(platform, identity ? withIdentity(capsule, identity) : capsule, { adcFullScaleMv: config.adcFullScaleMv }, random);
    }
    return startSensorNode(platform, identity ? withIdentity(base, identity) : base, config.sensors as SensorCalibration, random);
  };
  try {
    if (!isNodeKind(config.kind)) throw new Error(`kind "${config.kind}" is none of sensor, elevator, capsule`);
    if (config.claim_batch) {
      if (!isBatchId(config.claim_batch) || !config.claim_secret) {
        throw new Error("claim_batch and claim_secret must both be set for a fleet build");
      }
      bootProvisioned({
        platform,
        entropy: options.entropy,
        random,
        settings: {
          batch: config.claim_batch,
          secret: config.claim_secret,
          serial: options.serial,
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
}
