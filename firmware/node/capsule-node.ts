import type { CapsuleEvent, CapsuleState } from "../../shared/events";
import type { EventMessage, SensorState } from "../../shared/messages";
import { capsuleConfigProblem, type CapsuleNodeConfig } from "../capsule/config";
import { THRESHOLD_CLEARED, THRESHOLD_RAISED, ThresholdDetector } from "../detectors/threshold";
import { NextionDisplay } from "../drivers/nextion-display";
import { NtcThermistor } from "../drivers/ntc-thermistor";
import { VoltageDivider } from "../drivers/voltage-divider";
import { Debouncer, DEBOUNCE_FELL, DEBOUNCE_ROSE } from "../inputs/debouncer";
import type { CommandReply } from "../link/commands";
import { startLink, type Link } from "../link/link";
import { nodeUpdates } from "../ota/node-updates";
import type { OtaAgent } from "../ota/ota-agent";
import { DEFAULT_HEALTH_INTERVAL_MS, DEFAULT_OUTBOX_SLOTS } from "../link/link-config";
import type { Uplink } from "../link/uplink";
import type { Platform } from "../ports/platform";

export interface CapsuleBoard {
  /** Millivolts at the ADC's top count. */
  adcFullScaleMv: number;
}

export interface CapsuleNode {
  readonly uplink: Uplink;
  readonly link: Link;
  readonly ticks: number;
  /** Present when the node takes over-the-air updates. */
  readonly ota: OtaAgent | undefined;
  state(): CapsuleState;
  stop(): void;
}

const DISPLAY_KEY = "cap.display";

/**
 * A community emergency capsule. Pins (board names): `capsuleDoor` and `aedCabinetDoor` (reed
 * contacts closed by their magnets when the door is shut: high = open, or wire cut),
 * `aedPresent` (a switch the AED holds closed: high = AED gone, or wire cut), `cabinetNtc` and
 * `supplyVoltage` (ADC), `displayTx` (a Nextion serial display).
 *
 * A cut wire reads as "open" or "removed": the node errs toward calling someone. Events and
 * alarms go through the link's persistent outbox; `display` and `self-test` arrive through its
 * command inbox.
 */
export function startCapsuleNode(platform: Platform, config: CapsuleNodeConfig, board: CapsuleBoard, random: () => number): CapsuleNode {
  const problem = capsuleConfigProblem(config) ?? (board.adcFullScaleMv > 0 ? null : "adcFullScaleMv must be positive");
  if (problem) throw new Error(`config refused: ${problem}`);
  const { clock, timers, device, storage } = platform;
  const { Digital, Analog, Serial } = device.io;
  const pin = device.pin;
  for (const name of ["capsuleDoor", "aedCabinetDoor", "aedPresent", "cabinetNtc", "supplyVoltage", "displayTx"]) {
    if (pin[name] === undefined) throw new Error(`config refused: the board has no ${name} pin`);
  }

  const capsuleDoorIn = new Digital({ pin: pin.capsuleDoor, mode: Digital.InputPullUp });
  const cabinetDoorIn = new Digital({ pin: pin.aedCabinetDoor, mode: Digital.InputPullUp });
  const aedIn = new Digital({ pin: pin.aedPresent, mode: Digital.InputPullUp });
  const ntc = new NtcThermistor({ io: Analog, pin: pin.cabinetNtc, fullScaleMv: board.adcFullScaleMv, calibration: { model: "beta", ...config.ntc } });
  const supply = new VoltageDivider({ io: Analog, pin: pin.supplyVoltage, fullScaleMv: board.adcFullScaleMv, ratio: config.supply.ratio });
  const display = new NextionDisplay({ io: Serial, transmit: pin.displayTx, port: config.display.uartPort, component: config.display.component });

  const capsuleDoor = new Debouncer({ riseMs: config.doorDebounceMs, initial: 0 });
  const cabinetDoor = new Debouncer({ riseMs: config.doorDebounceMs, initial: 0 });
  const aedGone = new Debouncer({ riseMs: config.aedDebounceMs, initial: 0 });
  const t = config.temperature;
  const tooHot = new ThresholdDetector({ raiseAt: t.maxC, clearAt: t.maxC - t.hysteresisC, holdSamples: t.holdSamples, evidenceSamples: 8 });
  // The low side as a high threshold on −temperature, so one detector type covers both.
  const tooCold = new ThresholdDetector({ raiseAt: -t.minC, clearAt: -(t.minC + t.hysteresisC), holdSamples: t.holdSamples, evidenceSamples: 8 });
  const s = config.supply;
  const batteryLow = new ThresholdDetector({ raiseAt: -s.lowV, clearAt: -s.okV, holdSamples: s.holdSamples, evidenceSamples: 8 });

  let temperatureC = NaN;
  let supplyV = NaN;
  let sensorFault = false;
  let doorOpenedMs = -1;
  let doorAlarmed = false;
  let displayText = storage.get(DISPLAY_KEY) ?? config.display.defaultText;
  let ticks = 0;

  const updates = nodeUpdates(config.nodeId, config.firmwareVersion, config.ota, platform);
  const link = startLink({
    platform,
    nodeId: config.nodeId,
    kind: "capsule",
    firmwareVersion: config.firmwareVersion,
    mqtt: config.mqtt,
    healthIntervalMs: config.healthIntervalMs ?? DEFAULT_HEALTH_INTERVAL_MS,
    outboxSlots: config.outboxSlots ?? DEFAULT_OUTBOX_SLOTS,
    random,
    sensors,
    handlers: { display: showText, selfTest },
    attachment: updates.attachment,
  });
  const { bootId, uplink, log } = link;
  // Never switch while the AED is out or a capsule alarm stands; a new image must tick and read its cabinet to be kept.
  const ota = updates.start(link, {
    busy: () =>
      aedGone.level ? "AED removed" : doorAlarmed ? "door-left-open alarm active" : tooHot.active || tooCold.active ? "cabinet-temperature alarm active" : batteryLow.active ? "battery-low alarm active" : null,
    healthy: () => uplink.connected && ticks > 0 && !sensorFault,
  });

  // One frozen object for every snapshot: the range is fixed at boot.
  const aedRange = Object.freeze({ minC: t.minC, maxC: t.maxC });
  const state = (): CapsuleState => ({
    kind: "capsule",
    capsuleDoor: capsuleDoor.level ? "open" : "closed",
    aedCabinetDoor: cabinetDoor.level ? "open" : "closed",
    aed: aedGone.level ? "removed" : "present",
    temperatureC: Number.isNaN(temperatureC) ? null : Math.round(temperatureC * 10) / 10,
    supplyV: Number.isNaN(supplyV) ? null : Math.round(supplyV * 100) / 100,
    display: displayText,
    aedRangeC: aedRange,
  });
  const event = (name: CapsuleEvent, data?: EventMessage["data"], durationMs?: number) =>
    uplink.event(name, data, durationMs === undefined ? { state: state() } : { state: state(), durationMs });

  const tick = () => {
    const now = clock.now();
    ticks++;
    const doorChange = capsuleDoor.update(capsuleDoorIn.read(), now);
    const cabinetChange = cabinetDoor.update(cabinetDoorIn.read(), now);
    const aedChange = aedGone.update(aedIn.read(), now);

    if (aedChange === DEBOUNCE_ROSE) {
      event("aed-removed");
      // Urgent: an AED leaves its cabinet because someone's heart may have stopped.
      uplink.alarm({ kind: "aed-removed", severity: "urgent", state: "raised", value: 1, unit: "removed", threshold: 1 });
    } else if (aedChange === DEBOUNCE_FELL) {
      event("aed-returned");
      uplink.alarm({ kind: "aed-removed", severity: "urgent", state: "cleared", value: 0, unit: "removed", threshold: 1 });
    }
    if (cabinetChange === DEBOUNCE_ROSE) event("aed-cabinet-opened");
    else if (cabinetChange === DEBOUNCE_FELL) event("aed-cabinet-closed");

    if (doorChange === DEBOUNCE_ROSE) {
      doorOpenedMs = now - capsuleDoor.heldMs(now);
      event("capsule-opened");
    } else if (doorChange === DEBOUNCE_FELL) {
      const openMs = doorOpenedMs < 0 ? 0 : now - doorOpenedMs;
      doorOpenedMs = -1;
      event("capsule-closed", undefined, openMs);
      if (doorAlarmed) {
        doorAlarmed = false;
        uplink.alarm({ kind: "door-left-open", severity: "warning", state: "cleared", value: Math.round(openMs / 60_000), unit: "min", threshold: Math.round(config.doorOpenAlarmMs / 60_000) });
      }
    }
    // Once per opening: a door propped open for a day is one maintenance call, not one a minute.
    if (doorOpenedMs >= 0 && !doorAlarmed && now - doorOpenedMs >= config.doorOpenAlarmMs) {
      doorAlarmed = true;
      const openMs = now - doorOpenedMs;
      event("door-left-open", undefined, openMs);
      uplink.alarm({ kind: "door-left-open", severity: "warning", state: "raised", value: Math.round(openMs / 60_000), unit: "min", threshold: Math.round(config.doorOpenAlarmMs / 60_000) });
    }
  };

  const sample = (report: boolean) => {
    temperatureC = ntc.sample();
    supplyV = supply.sample();
    const fault = Number.isNaN(temperatureC);
    if (fault !== sensorFault) {
      sensorFault = fault;
      if (report) uplink.alarm({ kind: "sensor-fault", severity: "warning", state: fault ? "raised" : "cleared", value: fault ? 1 : 0, unit: "ntc", threshold: 1 });
    }
    if (!fault) {
      const wasOut = tooHot.active || tooCold.active;
      const hot = tooHot.update(temperatureC);
      const cold = tooCold.update(-temperatureC);
      const isOut = tooHot.active || tooCold.active;
      if ((hot === THRESHOLD_RAISED || cold === THRESHOLD_RAISED) && !wasOut) {
        event("temperature-out-of-range", { temperatureC: round1(temperatureC) });
        uplink.alarm({ kind: "cabinet-temperature", severity: "warning", state: "raised", value: round1(temperatureC), unit: "C", threshold: tooHot.active ? t.maxC : t.minC });
      } else if ((hot === THRESHOLD_CLEARED || cold === THRESHOLD_CLEARED) && wasOut && !isOut) {
        event("temperature-normal", { temperatureC: round1(temperatureC) });
        uplink.alarm({ kind: "cabinet-temperature", severity: "warning", state: "cleared", value: round1(temperatureC), unit: "C", threshold: hot === THRESHOLD_CLEARED ? t.maxC : t.minC });
      }
    }
    if (!Number.isNaN(supplyV)) {
      const change = batteryLow.update(-supplyV);
      if (change === THRESHOLD_RAISED) {
        event("battery-low", { supplyV: round2(supplyV) });
        uplink.alarm({ kind: "battery-low", severity: "warning", state: "raised", value: round2(supplyV), unit: "V", threshold: s.lowV });
      } else if (change === THRESHOLD_CLEARED) {
        event("battery-ok", { supplyV: round2(supplyV) });
        uplink.alarm({ kind: "battery-low", severity: "warning", state: "cleared", value: round2(supplyV), unit: "V", threshold: s.okV });
      }
    }
  };

  // Function declarations: the link is handed them before the rest of this scope has run.
  // The text was checked by the command's decoder (one printable line, no quote or backslash).
  function showText(text: string): CommandReply {
    displayText = text;
    display.show(displayText);
    storage.set(DISPLAY_KEY, displayText);
    event("display-set");
    return { result: "ok", detail: `display shows "${displayText}"` };
  }

  function selfTest(): CommandReply {
    sample(true);
    const findings = [
      `capsule door ${capsuleDoor.level ? "open" : "closed"}`,
      `AED cabinet ${cabinetDoor.level ? "open" : "closed"}`,
      `AED ${aedGone.level ? "REMOVED" : "present"}`,
      Number.isNaN(temperatureC) ? "thermistor FAULT" : `cabinet ${round1(temperatureC)} °C`,
      Number.isNaN(supplyV) ? "supply reading FAULT" : `supply ${round2(supplyV)} V`,
    ];
    display.show(displayText);
    return { result: !Number.isNaN(temperatureC) && !Number.isNaN(supplyV) ? "ok" : "failed", detail: findings.join("; ") };
  }

  function sensors(): Record<string, SensorState> {
    return {
      // Sampled once before the link can report: NaN is an open or shorted input, not "not yet".
      cabinetNtc: Number.isNaN(temperatureC) ? "fault" : "ok",
      supplyVoltage: Number.isNaN(supplyV) ? "fault" : "ok",
    };
  }

  display.show(displayText);
  sample(true);
  event("started");
  const tickTimer = timers.repeat(tick, config.tickMs);
  const sampleTimer = timers.repeat(() => sample(true), config.sampleIntervalMs);

  log("info", `capsule node ${config.nodeId} started, boot ${bootId}`);

  return {
    uplink,
    link,
    get ticks() {
      return ticks;
    },
    state,
    ota,
    stop() {
      ota?.stop();
      timers.clear(tickTimer);
      timers.clear(sampleTimer);
      capsuleDoorIn.close();
      cabinetDoorIn.close();
      aedIn.close();
      ntc.close();
      supply.close();
      display.close();
      link.stop();
    },
  };
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
