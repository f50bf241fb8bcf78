import { configProblem, type NodeConfig } from "../config";
import { THRESHOLD_CLEARED, THRESHOLD_RAISED, ThresholdDetector } from "../detectors/threshold";
import { SmokeChamber } from "../drivers/smoke-chamber";
import { nextBootId } from "../link/boot-counter";
import { LinkSession } from "../link/session";
import { Uplink } from "../link/uplink";
import { OtaAgent } from "../ota/ota-agent";
import { attachOtaLink } from "../ota/ota-link";
import type { Platform } from "../ports/platform";

export interface SmokeNode {
  readonly uplink: Uplink;
  readonly detector: ThresholdDetector;
  readonly samples: number;
  /** Present when the config and the platform allow over-the-air updates. */
  readonly ota: OtaAgent | undefined;
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

  // Updates wait while the smoke alarm stands; a new image must keep sampling and stay connected to be kept.
  const ota =
    config.ota && platform.ota
      ? new OtaAgent({
          nodeId: config.nodeId,
          bootId,
          runningVersion: config.firmwareVersion,
          config: config.ota,
          platform: platform.ota,
          mqtt,
          storage,
          clock,
          timers,
          log,
          busy: () => (detector.active ? "smoke alarm active" : null),
          healthy: () => uplink.connected && samples > 0,
        })
      : undefined;
  if (ota) {
    attachOtaLink(mqtt, ota);
    ota.start();
  }

  session.start();
  log("info", `smoke node ${config.nodeId} started, boot ${bootId}`);

  return {
    uplink,
    detector,
    get samples() {
      return samples;
    },
    ota,
    stop() {
      ota?.stop();
      timers.clear(sampleTimer);
      timers.clear(telemetryTimer);
      session.close();
      chamber.close();
    },
  };
}
