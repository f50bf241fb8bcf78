import type { SensorState } from "../../shared/messages";
import { configProblem, withChanges, type NodeConfig } from "../config";
import { THRESHOLD_CLEARED, THRESHOLD_RAISED, ThresholdDetector } from "../detectors/threshold";
import { SmokeChamber } from "../drivers/smoke-chamber";
import { clearConfigChanges, loadConfigChanges, saveConfigChanges } from "../link/config-store";
import type { HandlerAnswer } from "../link/commands";
import { startLink, type Link } from "../link/link";
import { DEFAULT_HEALTH_INTERVAL_MS, DEFAULT_OUTBOX_SLOTS } from "../link/link-config";
import type { Uplink } from "../link/uplink";
import { nodeUpdates } from "../ota/node-updates";
import type { OtaAgent } from "../ota/ota-agent";
import type { TimerHandle } from "../ports/clock";
import type { Platform } from "../ports/platform";
import { checkChamber, SelfTestFindings, TestIndicator } from "./self-test";

export interface SmokeNode {
  readonly uplink: Uplink;
  readonly link: Link;
  readonly detector: ThresholdDetector;
  readonly samples: number;
  readonly config: NodeConfig;
  /** Present when the config and the platform allow over-the-air updates. */
  readonly ota: OtaAgent | undefined;
  stop(): void;
}

/**
 * A smoke node: samples the chamber every `sampleIntervalMs`, raises and clears a smoke alarm
 * through the threshold detector, and sends the latest reading as telemetry.
 * sensor → driver → detector → uplink, nothing reaching back. Config changes from the cloud
 * are checked like the boot config, applied at once, and kept in flash.
 */
export function startSmokeNode(platform: Platform, bootConfig: NodeConfig, random: () => number): SmokeNode {
  const problem = configProblem(bootConfig);
  if (problem) throw new Error(`config refused: ${problem}`);
  const { timers, device, storage } = platform;

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

  const chamber = new SmokeChamber({ io: device.io.Analog, pin: device.pin.smoke });
  const fullScale = 2 ** chamber.resolution - 1;
  let detector = newDetector(config);
  const indicator = new TestIndicator(device, timers);
  let latest = -1;
  let samples = 0;
  let sampleTimer: TimerHandle | undefined;
  let telemetryTimer: TimerHandle | undefined;

  const updates = nodeUpdates(config.nodeId, config.firmwareVersion, config.ota, platform);
  const link = startLink({
    platform,
    nodeId: config.nodeId,
    kind: "smoke",
    firmwareVersion: config.firmwareVersion,
    mqtt: config.mqtt,
    healthIntervalMs: config.healthIntervalMs ?? DEFAULT_HEALTH_INTERVAL_MS,
    outboxSlots: config.outboxSlots ?? DEFAULT_OUTBOX_SLOTS,
    random,
    sensors: () => ({ smoke: chamberState() }),
    handlers: { config: applyChanges, selfTest, relayTest: refuseRelayTest },
    attachment: updates.attachment,
  });
  const { uplink, log } = link;
  // Updates wait while the smoke alarm stands; a new image must keep sampling a working chamber and stay connected to be kept.
  const ota = updates.start(link, {
    busy: () => (detector.active ? "smoke alarm active" : null),
    healthy: () => uplink.connected && samples > 0 && chamberState() === "ok",
  });
  if (storedRefusal) log("error", `stored config changes refused and cleared: ${storedRefusal}`);

  // An open photodiode amplifier reads 0 and a shorted or saturated one reads full scale; clean
  // air sits well between. Either rail is a fault to repair, not a fire (a fire's scatter rises
  // from the clean-air level and never reaches the rail in one step).
  function chamberState(): SensorState {
    if (latest < 0) return "unknown";
    return latest === 0 || latest === fullScale ? "fault" : "ok";
  }

  function sample(): void {
    latest = chamber.sample();
    samples++;
    const change = detector.update(latest);
    if (change === THRESHOLD_RAISED || change === THRESHOLD_CLEARED) {
      const kept = uplink.alarm({
        kind: "smoke",
        severity: "alarm",
        state: change === THRESHOLD_RAISED ? "raised" : "cleared",
        value: latest,
        unit: "raw",
        threshold: change === THRESHOLD_RAISED ? detector.raiseAt : detector.clearAt,
        evidence: detector.evidence(),
      });
      if (!kept) log("error", "outbox full of unsent alarms: a smoke alarm was dropped");
    }
  }

  /**
   * The chamber's test: one extra reading, kept out of the detector (so the test can neither
   * raise nor clear an alarm, and the sampling timer decides on as before), judged against the
   * calibrated clean-air window; the status LED lights for a second so the crew on site sees it.
   */
  function selfTest(): HandlerAnswer {
    if (detector.active) return "smoke alarm standing: the chamber reads smoke now, test it once the alarm clears";
    const findings = new SelfTestFindings();
    checkChamber(findings, "chamber", chamber.sample(), { cleanAirRaw: config.smoke.baseline, firstLevelRaw: config.smoke.raiseAboveBaseline, floorRaw: 0, railRaw: fullScale });
    if (samples > 0) findings.pass(`detector sampling every ${config.sampleIntervalMs} ms`);
    else findings.fail("detector FAIL: no sample taken yet");
    indicator.flash(findings, 1000);
    return findings.reply();
  }

  // Nothing to pulse: the board has no trip or shunt relay (hardware/kinds/sensor-node.ts).
  function refuseRelayTest(): string {
    return "this node has no relay: a smoke node only watches and alarms, it switches nothing";
  }

  function startTimers(): void {
    timers.clear(sampleTimer);
    timers.clear(telemetryTimer);
    sampleTimer = timers.repeat(sample, config.sampleIntervalMs);
    telemetryTimer =
      config.telemetryIntervalMs > 0
        ? timers.repeat(() => uplink.telemetry({ readings: { smokeRaw: latest < 0 ? 0 : latest } }), config.telemetryIntervalMs)
        : undefined;
  }

  function applyChanges(changes: Record<string, number>): string | null {
    const changed = withChanges(config, changes);
    if (typeof changed === "string") return changed;
    const previous = config;
    config = changed;
    if (changed.smoke.raiseAboveBaseline !== previous.smoke.raiseAboveBaseline ||
        changed.smoke.clearBelowBaseline !== previous.smoke.clearBelowBaseline ||
        changed.smoke.holdSamples !== previous.smoke.holdSamples ||
        changed.smoke.baseline !== previous.smoke.baseline) {
      // The new detector takes over the alarm state, so a change never re-raises a standing alarm.
      const active = detector.active;
      detector = newDetector(changed);
      detector.active = active;
    }
    if (changed.sampleIntervalMs !== previous.sampleIntervalMs || changed.telemetryIntervalMs !== previous.telemetryIntervalMs) startTimers();
    if (changed.healthIntervalMs !== previous.healthIntervalMs) link.health.setInterval(changed.healthIntervalMs ?? DEFAULT_HEALTH_INTERVAL_MS);
    storedChanges = { ...storedChanges, ...changes };
    saveConfigChanges(storage, storedChanges);
    uplink.event("config-applied", changes);
    return null;
  }

  startTimers();
  log("info", `smoke node ${config.nodeId} started, boot ${link.bootId}`);

  return {
    uplink,
    link,
    get detector() {
      return detector;
    },
    get samples() {
      return samples;
    },
    get config() {
      return config;
    },
    ota,
    stop() {
      ota?.stop();
      timers.clear(sampleTimer);
      timers.clear(telemetryTimer);
      link.stop();
      indicator.close();
      chamber.close();
    },
  };
}

function newDetector(config: NodeConfig): ThresholdDetector {
  const { baseline, raiseAboveBaseline, clearBelowBaseline, holdSamples } = config.smoke;
  return new ThresholdDetector({ raiseAt: baseline + raiseAboveBaseline, clearAt: baseline + clearBelowBaseline, holdSamples });
}
