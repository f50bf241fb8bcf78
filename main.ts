import config from "mc/config";
import type { SensorCalibration } from "./firmware/calibration";
import { startSensorNode, type SensorNodeConfig } from "./firmware/node/sensor-node";
import { esp32Platform } from "./firmware/platform/esp32/platform";
import { defaultSensingConfig } from "./firmware/sensing-config";

/**
 * Device entry. The Wi-Fi setup module (manifest_net) calls this once the network is up.
 * Pins and sensor coefficients come from mc/config, which the manifest builds from the board
 * definition; `mcconfig … node=<id> mqtt_host=<host>` sets the rest at build time.
 */
export default function main(): void {
  const nodeConfig: SensorNodeConfig = {
    nodeId: config.node,
    firmwareVersion: config.firmware,
    mqtt: { host: config.mqtt_host, port: Number(config.mqtt_port), keepAliveMs: 30_000 },
    telemetryIntervalMs: 60_000,
    sensing: defaultSensingConfig(),
  };
  const platform = esp32Platform({ pins: config.pins, mqttHost: nodeConfig.mqtt.host, mqttPort: nodeConfig.mqtt.port });
  try {
    startSensorNode(platform, nodeConfig, config.sensors as SensorCalibration, Math.random);
  } catch (error) {
    platform.log("error", String(error));
  }
}
