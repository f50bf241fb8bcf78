import config from "mc/config";
import { bootNode, type NodeBuildConfig } from "./firmware/node/boot-node";
import { chipSerial } from "./firmware/platform/esp32/chip-serial";
import { hardwareEntropy } from "./firmware/platform/esp32/hardware-entropy";
import { bringUpNetwork } from "./firmware/platform/esp32/network-setup";
import { esp32Platform } from "./firmware/platform/esp32/platform";

/**
 * Device entry. The SDK's network setup (manifest_net) has no SSID to join, so it calls this at once;
 * the node then joins the Wi-Fi network an installer gave it (`bringUpNetwork`: Improv over
 * Bluetooth or USB serial, or the access-point page with `setup_softap=1`) and starts its work.
 * Pins, the ADC's scale, the sensor node's calibration and the outputs' drive come from mc/config,
 * which `npm run hardware` builds into the manifest from the board and node-kind definitions.
 * A fleet build (`npx shouwang batch flash-command <batch>` prints its mcconfig line) sets
 * claim_batch and claim_secret: the node claims its identity at first boot. A development build
 * sets node=<id> instead and connects under that id with no credentials. `kind` (sensor, elevator,
 * capsule) picks the node program; the kind's manifest (firmware/kinds/<kind>/manifest.json) sets
 * it with the XS creation sizes measured for it. A claimed node starts the kind it was built as. `release_key=<hex>`
 * (the release public key; comma-separated for more than one) turns on over-the-air updates.
 */
export default function main(): void {
  const platform = esp32Platform({ pins: config.pins, mqttHost: config.mqtt_host, mqttPort: Number(config.mqtt_port) });
  const serial = chipSerial();
  bringUpNetwork({
    platform,
    info: {
      firmware: `shouwang-${config.kind}`,
      version: config.firmware,
      chipFamily: String(config.board).includes("s3") ? "ESP32-S3" : "ESP32",
      deviceName: `SW-${config.kind}-${serial.slice(-6)}`,
    },
    nextUrl: config.console_url ? `${config.console_url}/#/install/${serial}` : undefined,
    setupPin: config.pins.factoryReset,
    statusLedPin: config.pins.statusLed,
    softAp: Boolean(Number(config.setup_softap ?? 0)),
    // mc/config is generated from manifest.json's config and the board's; the SDK types it loosely.
    online: () => bootNode({ platform, config: config as unknown as NodeBuildConfig, serial, entropy: hardwareEntropy, random: Math.random }),
  });
}
