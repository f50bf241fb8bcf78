import { calibrationProblem, type SensorCalibration } from "../calibration";
import { linkConfigProblem, type LinkConfig } from "../config";
import { nextBootId } from "../link/boot-counter";
import { LinkSession } from "../link/session";
import { Uplink } from "../link/uplink";
import type { Platform } from "../ports/platform";
import type { SensingConfig } from "../sensing-config";
import { Sensing, type SensingInspection } from "./sensing";

export interface SensorNodeConfig extends LinkConfig {
  sensing: SensingConfig;
}

export interface SensorNode {
  readonly uplink: Uplink;
  readonly sensing: Sensing;
  /** Takes a new sensing config, or returns why it is refused (the running one stays). */
  applySensing(candidate: unknown): string | null;
  inspect(): SensingInspection;
  stop(): void;
}

/**
 * A sensor node: smoke, heat and electrical sensing on one board, each group on its own timer,
 * every decision sent as an alarm through the uplink (QoS 1, queued until acknowledged), and the
 * latest readings as telemetry. sensor → driver → detector → uplink, nothing reaching back.
 */
export function startSensorNode(platform: Platform, config: SensorNodeConfig, calibration: SensorCalibration, random: () => number): SensorNode {
  const linkProblem = linkConfigProblem(config);
  if (linkProblem) throw new Error(`config refused: ${linkProblem}`);
  const boardProblem = calibrationProblem(calibration, 12);
  if (boardProblem) throw new Error(`board calibration refused: ${boardProblem}`);
  const { clock, timers, device, microClock, mqtt, storage, log } = platform;

  const bootId = nextBootId(storage);
  const uplink = new Uplink({ nodeId: config.nodeId, bootId, mqtt, clock });
  const session = new LinkSession({
    mqtt,
    uplink,
    timers,
    log,
    random,
    firmwareVersion: config.firmwareVersion,
    credentials: { username: config.mqtt.username, password: config.mqtt.password },
    keepAliveMs: config.mqtt.keepAliveMs,
  });

  const sensing = new Sensing({ clock, timers, device, microClock, storage, log, calibration, send: (alarm) => uplink.alarm(alarm) });
  const refused = sensing.apply(config.sensing);
  if (refused) throw new Error(`config refused: sensing ${refused}`);

  const telemetryTimer =
    config.telemetryIntervalMs > 0 ? timers.repeat(() => uplink.telemetry({ readings: sensing.readings() }), config.telemetryIntervalMs) : undefined;

  session.start();
  log("info", `sensor node ${config.nodeId} started, boot ${bootId}`);

  return {
    uplink,
    sensing,
    applySensing(candidate: unknown): string | null {
      const problem = sensing.apply(candidate);
      log(problem ? "warn" : "info", problem ? `sensing config refused: ${problem}` : "sensing config applied");
      return problem;
    },
    inspect: () => sensing.inspect(),
    stop() {
      timers.clear(telemetryTimer);
      sensing.close();
      session.close();
    },
  };
}
