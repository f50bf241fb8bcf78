import { configProblem, type NodeConfig } from "../config";
import { THRESHOLD_CLEARED, THRESHOLD_RAISED, ThresholdDetector } from "../detectors/threshold";
import { SmokeChamber } from "../drivers/smoke-chamber";
import { nextBootId } from "../link/boot-counter";
import { LinkSession } from "../link/session";
import { Uplink } from "../link/uplink";
import type { Platform } from "../ports/platform";

export interface SmokeNode {
  readonly uplink: Uplink;
  readonly detector: ThresholdDetector;
  readonly samples: number;
  stop(): void;
}

/**
 * A smoke node: samples the chamber every `sampleIntervalMs`, raises and clears a smoke alarm
 * through the threshold detector, and sends the latest reading as telemetry.
 * sensor → driver → detector → uplink, nothing reaching back.
 */
export function startSmokeNode(platform: Platform, config: NodeConfig, random: () => number): SmokeNode {
  const problem = configProblem(config);
  if (problem) throw new Error(`config refused: ${problem}`);
  const { clock, timers, device, mqtt, storage, log } = platform;

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

  const chamber = new SmokeChamber({ io: device.io.Analog, pin: device.pin.smoke });
  const { baseline, raiseAboveBaseline, clearBelowBaseline, holdSamples } = config.smoke;
  const detector = new ThresholdDetector({
    raiseAt: baseline + raiseAboveBaseline,
    clearAt: baseline + clearBelowBaseline,
    holdSamples,
  });

  let latest = 0;
  let samples = 0;
  const sampleTimer = timers.repeat(() => {
    latest = chamber.sample();
    samples++;
    const change = detector.update(latest);
    if (change === THRESHOLD_RAISED || change === THRESHOLD_CLEARED) {
      uplink.alarm({
        kind: "smoke",
        severity: "alarm",
        state: change === THRESHOLD_RAISED ? "raised" : "cleared",
        value: latest,
        unit: "raw",
        threshold: change === THRESHOLD_RAISED ? detector.raiseAt : detector.clearAt,
        evidence: detector.evidence(),
      });
    }
  }, config.sampleIntervalMs);

  const telemetryTimer =
    config.telemetryIntervalMs > 0
      ? timers.repeat(() => uplink.telemetry({ readings: { smokeRaw: latest } }), config.telemetryIntervalMs)
      : undefined;

  session.start();
  log("info", `smoke node ${config.nodeId} started, boot ${bootId}`);

  return {
    uplink,
    detector,
    get samples() {
      return samples;
    },
    stop() {
      timers.clear(sampleTimer);
      timers.clear(telemetryTimer);
      session.close();
      chamber.close();
    },
  };
}
