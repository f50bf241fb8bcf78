import { calibrationProblem, type SensorCalibration } from "../calibration";
import { DEFAULT_HEALTH_INTERVAL_MS, DEFAULT_OUTBOX_SLOTS, linkConfigProblem, type LinkConfig } from "../link/link-config";
import { clearConfigChanges, loadConfigChanges, saveConfigChanges } from "../link/config-store";
import { startLink, type Link } from "../link/link";
import { nodeUpdates } from "../ota/node-updates";
import type { OtaAgent } from "../ota/ota-agent";
import { otaConfigProblem, type OtaConfig } from "../ota/ota-config";
import type { Uplink } from "../link/uplink";
import type { TimerHandle } from "../ports/clock";
import type { Platform } from "../ports/platform";
import { withSensingChanges, type SensingConfig } from "../sensing-config";
import { TestIndicator } from "./self-test";
import { Sensing, type SensingInspection } from "./sensing";

export interface SensorNodeConfig extends LinkConfig {
  /** How often the latest readings are sent (QoS 0). 0 sends none. */
  telemetryIntervalMs: number;
  sensing: SensingConfig;
  /** Present when the node takes over-the-air updates (firmware/ota). */
  ota?: OtaConfig;
}

/** Null when the settings besides sensing are usable, or the first reason they are not. */
function nodeConfigProblem(config: SensorNodeConfig): string | null {
  const link = linkConfigProblem(config);
  if (link) return link;
  if (!(config.telemetryIntervalMs === 0 || config.telemetryIntervalMs >= 1000)) return "telemetryIntervalMs must be 0 or at least 1000";
  return config.ota ? otaConfigProblem(config.ota) : null;
}

export interface SensorNode {
  readonly uplink: Uplink;
  readonly link: Link;
  readonly sensing: Sensing;
  readonly config: SensorNodeConfig;
  readonly samples: number;
  readonly ota: OtaAgent | undefined;
  /** Takes a whole new sensing config, or returns why it is refused (the running one stays). */
  applySensing(candidate: unknown): string | null;
  inspect(): SensingInspection;
  stop(): void;
}


/**
 * A sensor node: smoke, heat and electrical sensing on one board, each group on its own timer,
 * every decision sent as an alarm through the link's persistent outbox, the latest readings as
 * telemetry, each sensor's state in the heartbeat. sensor → driver → detector → uplink, nothing
 * reaching back. A `config` command changes sensing settings by dotted name
 * (`electrical.leakage.thresholdMa`); the changes are checked like the boot config, applied at
 * once and kept in flash.
 */
export function startSensorNode(platform: Platform, bootConfig: SensorNodeConfig, calibration: SensorCalibration, random: () => number): SensorNode {
  const configProblem = nodeConfigProblem(bootConfig);
  if (configProblem) throw new Error(`config refused: ${configProblem}`);
  const boardProblem = calibrationProblem(calibration, 12);
  if (boardProblem) throw new Error(`board calibration refused: ${boardProblem}`);
  const { clock, timers, device, storage } = platform;

  const sensing = new Sensing({
    clock,
    timers,
    device,
    storage,
    log: (level, message) => link.log(level, message),
    calibration,
    send: (alarm) => {
      if (!uplink.alarm(alarm)) link.log("error", `outbox full of unsent alarms: a ${alarm.kind} alarm was dropped`);
    },
    event: (name, data) => uplink.event(name, data),
  });
  const bootProblem = sensing.problem(bootConfig.sensing);
  if (bootProblem) throw new Error(`config refused: sensing ${bootProblem}`);

  let config = bootConfig;
  let storedChanges = loadConfigChanges(storage) ?? {};
  let storedRefusal: string | undefined;
  if (Object.keys(storedChanges).length > 0) {
    const changed = withChanges(bootConfig, storedChanges);
    if (typeof changed === "string") {
      storedRefusal = changed;
      storedChanges = {};
      clearConfigChanges(storage);
    } else {
      config = changed;
    }
  }

  const indicator = new TestIndicator(device, timers);
  const updates = nodeUpdates(config.nodeId, config.firmwareVersion, config.ota, platform);
  const link = startLink({
    platform,
    nodeId: config.nodeId,
    kind: "sensor",
    firmwareVersion: config.firmwareVersion,
    mqtt: config.mqtt,
    healthIntervalMs: config.healthIntervalMs ?? DEFAULT_HEALTH_INTERVAL_MS,
    outboxSlots: config.outboxSlots ?? DEFAULT_OUTBOX_SLOTS,
    random,
    sensors: () => sensing.states(),
    handlers: {
      config: applyChanges,
      selfTest: () => {
        const found = sensing.selfTest();
        if (typeof found === "string") return found;
        indicator.flash(found, 1000);
        return found.reply();
      },
      // Nothing to pulse: the board watches the circuit, it has no trip or shunt relay (hardware/kinds/sensor-node.ts).
      relayTest: () => "this node has no relay: a sensor node only watches its circuit (no trip or shunt relay fitted); trip the breaker by hand",
    },
    attachment: updates.attachment,
  });
  const { uplink, log } = link;
  // Updates wait while an alarm stands; a new image must keep every sensor working and stay connected to be kept.
  const ota = updates.start(link, {
    busy: () => sensing.busy(),
    healthy: () => uplink.connected && sensing.samples > 0 && !Object.values(sensing.states()).includes("fault"),
  });
  if (storedRefusal) log("error", `stored config changes refused and cleared: ${storedRefusal}`);
  sensing.apply(config.sensing);

  let telemetryTimer: TimerHandle | undefined;
  function startTelemetry(): void {
    timers.clear(telemetryTimer);
    telemetryTimer = config.telemetryIntervalMs > 0 ? timers.repeat(() => uplink.telemetry({ readings: sensing.readings() }), config.telemetryIntervalMs) : undefined;
  }

  function applyChanges(changes: Record<string, number>): string | null {
    const changed = withChanges(config, changes);
    if (typeof changed === "string") return changed;
    const refused = sensing.apply(changed.sensing);
    if (refused) return refused;
    const previous = config;
    config = changed;
    if (changed.telemetryIntervalMs !== previous.telemetryIntervalMs) startTelemetry();
    if (changed.healthIntervalMs !== previous.healthIntervalMs) link.health.setInterval(changed.healthIntervalMs ?? DEFAULT_HEALTH_INTERVAL_MS);
    storedChanges = { ...storedChanges, ...changes };
    saveConfigChanges(storage, storedChanges);
    uplink.event("config-applied", changes);
    return null;
  }

  startTelemetry();
  log("info", `sensor node ${config.nodeId} started, boot ${link.bootId}`);

  return {
    uplink,
    link,
    sensing,
    ota,
    get config() {
      return config;
    },
    get samples() {
      return sensing.samples;
    },
    applySensing(candidate: unknown): string | null {
      const problem = sensing.apply(candidate);
      if (problem) log("warn", `sensing config refused: ${problem}`);
      else config = { ...config, sensing: candidate as SensingConfig };
      return problem;
    },
    inspect: () => sensing.inspect(),
    stop() {
      timers.clear(telemetryTimer);
      ota?.stop();
      sensing.close();
      indicator.close();
      link.stop();
    },
  };
}

/** Link settings a config command may change besides the sensing ones. */
const LINK_CHANGEABLE = ["telemetryIntervalMs", "healthIntervalMs"] as const;

/** The config with `changes` applied (link settings and dotted sensing settings), or why not. All or nothing. */
function withChanges(config: SensorNodeConfig, changes: Record<string, number>): SensorNodeConfig | string {
  const sensingChanges: Record<string, number> = {};
  const next: SensorNodeConfig = { ...config };
  for (const key of Object.keys(changes)) {
    if ((LINK_CHANGEABLE as readonly string[]).includes(key)) (next as unknown as Record<string, number>)[key] = changes[key];
    else sensingChanges[key] = changes[key];
  }
  const sensing = withSensingChanges(config.sensing, sensingChanges);
  if (typeof sensing === "string") return sensing;
  next.sensing = sensing;
  return nodeConfigProblem(next) ?? next;
}
