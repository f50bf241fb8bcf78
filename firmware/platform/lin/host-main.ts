import config from "mc/config";
import Preference from "preference";
import { bootNode, type NodeBuildConfig } from "../../node/boot-node";
import { hardwareEntropy } from "../esp32/hardware-entropy";
import { listenToHost } from "./host-control";
import { tellHost } from "./host-screen";
import { linPlatform } from "./platform";

type HostBuildConfig = NodeBuildConfig & { host_serial: string; time_scale: number | string };

/**
 * Settings a run may change without a rebuild, kept with the node's other preferences (domain
 * `host`): the kind (every build holds all three programs, as a device build does), the broker a
 * test started on a free port, the serial standing in for the chip's MAC,
 * a fleet batch's claim credential, the bench's time scale. Anything not there is the build's.
 */
const OVERRIDABLE = ["kind", "mqtt_host", "mqtt_port", "node", "host_serial", "claim_batch", "claim_secret", "time_scale"] as const;

function withHostOverrides(build: HostBuildConfig): HostBuildConfig {
  const merged = { ...build };
  for (const key of OVERRIDABLE) {
    const value = Preference.get("host", key);
    if (typeof value === "string" || typeof value === "number") (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}

/**
 * The node on a computer: the same `bootNode` as the ESP32's main.ts, on the Linux host's
 * platform, with no Wi-Fi to join. `host_serial` stands in for the chip's MAC, and `time_scale`
 * speeds the clock for the memory bench. The manifest names this module as the main one.
 */
export default function main(): void {
  // XS calls this before it aborts (MODDEF_XS_ABORTHOOK): say why, for whoever runs the node.
  (globalThis as unknown as { abort: (why: string, exception: unknown) => void }).abort = (why, exception) => {
    const error = exception as { name?: string; message?: string; stack?: string } | undefined;
    tellHost({ event: "abort", why, exception: error?.stack ?? (error?.name ? `${error.name}: ${error.message}` : String(exception)) });
  };
  // mc/config is generated from manifest.json's config and the lin block's; the SDK types it loosely.
  const build = withHostOverrides(config as unknown as HostBuildConfig);
  const host = linPlatform({ pins: build.pins, mqttHost: build.mqtt_host, mqttPort: Number(build.mqtt_port), timeScale: Number(build.time_scale) || 1 });
  listenToHost(host.pins, host.bus, build.pins);
  tellHost({ event: "boot", kind: build.kind, node: build.node, resetReason: host.platform.system.resetReason() });
  bootNode({ platform: host.platform, config: build, serial: build.host_serial, entropy: hardwareEntropy, random: Math.random });
}
