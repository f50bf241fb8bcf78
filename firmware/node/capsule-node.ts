import type { NodeCommand } from "../../shared/commands";
import type { CapsuleEvent, CapsuleState } from "../../shared/events";
import { capsuleConfigProblem, type CapsuleNodeConfig } from "../capsule/config";
import { THRESHOLD_CLEARED, THRESHOLD_RAISED, ThresholdDetector } from "../detectors/threshold";
import { NextionDisplay } from "../drivers/nextion-display";
import { NtcThermistor } from "../drivers/ntc-thermistor";
import { VoltageDivider } from "../drivers/voltage-divider";
import { Debouncer, DEBOUNCE_FELL, DEBOUNCE_ROSE } from "../inputs/debouncer";
import { attachCommands, type CommandResult } from "../link/commands";
import type { Uplink } from "../link/uplink";
import type { Platform } from "../ports/platform";
import { createNodeLink } from "./node-link";

export interface CapsuleBoard {
  /** Millivolts at the ADC's top count. */
  adcFullScaleMv: number;
}

export interface CapsuleNode {
  readonly uplink: Uplink;
  readonly ticks: number;
  state(): CapsuleState;
  handle(command: NodeCommand): CommandResult;
  stop(): void;
}

const DISPLAY_KEY = "cap.display";

/**
 * A community emergency capsule. Pins (board names): `capsuleDoor` and `aedCabinetDoor` (reed
 * contacts closed by their magnets when the door is shut: high = open, or wire cut),
 * `aedPresent` (a switch the AED holds closed: high = AED gone, or wire cut), `cabinetNtc` and
 * `supplyVoltage` (ADC), `displayTx` (a Nextion serial display).
 *
 * A cut wire reads as "open" or "removed": the node errs toward calling someone.
 */
export function startCapsuleNode(platform: Platform, config: CapsuleNodeConfig, board: CapsuleBoard, random: () => number): CapsuleNode {
  const problem = capsuleConfigProblem(config) ?? (board.adcFullScaleMv > 0 ? null : "adcFullScaleMv must be positive");
  if (problem) throw new Error(`config refused: ${problem}`);
  const { clock, timers, device, storage, log, mqtt } = platform;
  const { Digital, Analog, Serial } = device.io;
  const pin = device.pin;
  for (const name of ["capsuleDoor", "aedCabinetDoor", "aedPresent", "cabinetNtc", "supplyVoltage", "displayTx"]) {
    if (pin[name] === undefined) throw new Error(`config refused: the board has no ${name} pin`);
  }

  const capsuleDoorIn = new Digital({ pin: pin.capsuleDoor, mode: Digital.InputPullUp });
  const cabinetDoorIn = new Digital({ pin: pin.aedCabinetDoor, mode: Digital.InputPullUp });
  const aedIn = new Digital({ pin: pin.aedPresent, mode: Digital.InputPullUp });
  const ntc = new NtcThermistor({ io: Analog, pin: pin.cabinetNtc, fullScaleMv: board.adcFullScaleMv, ...config.ntc });
  const supply = new VoltageDivider({ io: Analog, pin: pin.supplyVoltage, fullScaleMv: board.adcFullScaleMv, ratio: config.supply.ratio });
  const display = new NextionDisplay({ io: Serial, transmit: pin.displayTx, port: config.display.uartPort, component: config.display.component });

  const { bootId, uplink, session } = createNodeLink(platform, config, random);

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

  const state = (): CapsuleState => ({
    kind: "capsule",
    capsuleDoor: capsuleDoor.level ? "open" : "closed",
    aedCabinetDoor: cabinetDoor.level ? "open" : "closed",
    aed: aedGone.level ? "removed" : "present",
    temperatureC: Number.isNaN(temperatureC) ? null : Math.round(temperatureC * 10) / 10,
    supplyV: Number.isNaN(supplyV) ? null : Math.round(supplyV * 100) / 100,
    display: displayText,
  });
  const event = (name: CapsuleEvent, extra?: { durationMs?: number; value?: number; unit?: string; cause?: string }) =>
    uplink.event({ event: name, state: state(), ...extra });

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
      event("capsule-closed", { durationMs: openMs });
      if (doorAlarmed) {
        doorAlarmed = false;
        uplink.alarm({ kind: "door-left-open", severity: "warning", state: "cleared", value: Math.round(openMs / 60_000), unit: "min", threshold: Math.round(config.doorOpenAlarmMs / 60_000) });
      }
    }
    // Once per opening: a door propped open for a day is one maintenance call, not one a minute.
    if (doorOpenedMs >= 0 && !doorAlarmed && now - doorOpenedMs >= config.doorOpenAlarmMs) {
      doorAlarmed = true;
      const openMs = now - doorOpenedMs;
      event("door-left-open", { durationMs: openMs });
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
        event("temperature-out-of-range", { value: round1(temperatureC), unit: "C" });
        uplink.alarm({ kind: "cabinet-temperature", severity: "warning", state: "raised", value: round1(temperatureC), unit: "C", threshold: tooHot.active ? t.maxC : t.minC });
      } else if ((hot === THRESHOLD_CLEARED || cold === THRESHOLD_CLEARED) && wasOut && !isOut) {
        event("temperature-normal", { value: round1(temperatureC), unit: "C" });
        uplink.alarm({ kind: "cabinet-temperature", severity: "warning", state: "cleared", value: round1(temperatureC), unit: "C", threshold: hot === THRESHOLD_CLEARED ? t.maxC : t.minC });
      }
    }
    if (!Number.isNaN(supplyV)) {
      const change = batteryLow.update(-supplyV);
      if (change === THRESHOLD_RAISED) {
        event("battery-low", { value: round2(supplyV), unit: "V" });
        uplink.alarm({ kind: "battery-low", severity: "warning", state: "raised", value: round2(supplyV), unit: "V", threshold: s.lowV });
      } else if (change === THRESHOLD_CLEARED) {
        event("battery-ok", { value: round2(supplyV), unit: "V" });
        uplink.alarm({ kind: "battery-low", severity: "warning", state: "cleared", value: round2(supplyV), unit: "V", threshold: s.okV });
      }
    }
  };

  const handle = (command: NodeCommand): CommandResult => {
    switch (command.command) {
      case "set-display":
        displayText = command.text;
        display.show(displayText);
        storage.set(DISPLAY_KEY, displayText);
        event("display-set");
        return { ok: true, detail: `display shows "${displayText}"` };
      case "self-test": {
        sample(true);
        const findings = [
          `capsule door ${capsuleDoor.level ? "open" : "closed"}`,
          `AED cabinet ${cabinetDoor.level ? "open" : "closed"}`,
          `AED ${aedGone.level ? "REMOVED" : "present"}`,
          Number.isNaN(temperatureC) ? "thermistor FAULT" : `cabinet ${round1(temperatureC)} °C`,
          Number.isNaN(supplyV) ? "supply reading FAULT" : `supply ${round2(supplyV)} V`,
        ];
        display.show(displayText);
        return { ok: !Number.isNaN(temperatureC) && !Number.isNaN(supplyV), detail: findings.join("; ") };
      }
      case "enable":
      case "disable":
        return { ok: false, detail: "a capsule node has no lock to enable or disable" };
    }
  };

  display.show(displayText);
  sample(true);
  event("started");
  const tickTimer = timers.repeat(tick, config.tickMs);
  const sampleTimer = timers.repeat(() => sample(true), config.sampleIntervalMs);

  attachCommands({ mqtt, uplink, log, handle });
  session.start();
  log("info", `capsule node ${config.nodeId} started, boot ${bootId}`);

  return {
    uplink,
    get ticks() {
      return ticks;
    },
    state,
    handle,
    stop() {
      timers.clear(tickTimer);
      timers.clear(sampleTimer);
      capsuleDoorIn.close();
      cabinetDoorIn.close();
      aedIn.close();
      ntc.close();
      supply.close();
      display.close();
      session.close();
    },
  };
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
