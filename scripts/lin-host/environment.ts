/**
 * What a node's host ports read when nothing is happening: clean air, a room at 24 °C, an 8 A
 * circuit with 5 mA of leakage, closed doors, the AED in its cabinet, a 13.4 V supply. Each value
 * is what the board's pins would read (the same physics the simulator's tests use), sent as
 * commands to firmware/platform/lin/host-control.ts.
 */
import { capsuleDefaults } from "../../firmware/capsule/config";
import { dividerCounts, ntcCounts } from "../../firmware/platform/sim/host/analog-physics";
import { HOST_BOARD } from "../../hardware/generate";
import { sensorCalibration } from "../../hardware/calibration";

const calibration = sensorCalibration(HOST_BOARD);
const TMP117_ID = 0x0117;
const TMP117_LSB_C = 0.0078125;

/** A mains current as a clamp's ADC pin sees it (`unitsPerCount` from the board's calibration). */
export function mainsCurrent(amps: number, unitsPerCount: number, biasCounts: number) {
  return { offsetCounts: biasCounts, amplitudeCounts: (amps / unitsPerCount) * Math.SQRT2, hz: 50, noiseCounts: 2, seed: 5 };
}

export function tmp117(address: number, celsius: number) {
  return { op: "i2c", address, registers: { [0x0f]: TMP117_ID, [0x00]: Math.round(celsius / TMP117_LSB_C) } };
}

export const CLEAN_AIR_COUNTS = 300;

export function quietEnvironment(kind: string): Array<Record<string, unknown>> {
  if (kind === "sensor") {
    return [
      { op: "waveform", name: "smoke", spec: { offsetCounts: CLEAN_AIR_COUNTS, amplitudeCounts: 0, hz: 0, noiseCounts: 3, seed: 9 } },
      { op: "pin", name: "heat", value: ntcCounts(24, calibration.ntc, HOST_BOARD.adcFullScaleMv) },
      { op: "pin", name: "smokeAlarm", value: 1 },
      { op: "waveform", name: "current", spec: mainsCurrent(8, calibration.ct.unitsPerCount, calibration.ct.biasCounts) },
      { op: "waveform", name: "leakage", spec: mainsCurrent(5, calibration.leakage.unitsPerCount, calibration.leakage.biasCounts) },
      tmp117(calibration.tmp117Address, 24),
      tmp117(calibration.cableTmp117Address, 26),
    ];
  }
  if (kind === "capsule") {
    return [
      { op: "pin", name: "capsuleDoor", value: 0 },
      { op: "pin", name: "aedCabinetDoor", value: 0 },
      { op: "pin", name: "aedPresent", value: 0 },
      { op: "pin", name: "cabinetNtc", value: ntcCounts(22, capsuleDefaults.ntc, HOST_BOARD.adcFullScaleMv) },
      { op: "pin", name: "supplyVoltage", value: dividerCounts(13.4, capsuleDefaults.supply.ratio, HOST_BOARD.adcFullScaleMv) },
    ];
  }
  return [
    { op: "pin", name: "ebikeDetect", value: 0 },
    { op: "pin", name: "maintenanceKey", value: 0 },
    { op: "pin", name: "relaySense", value: 0 },
  ];
}
