import type { BoardDefinition } from "./boards/board";
import { sensorNode } from "./kinds/sensor-node";

/**
 * What the sensor node's firmware needs to turn ADC counts into units, built from the sensor
 * kind's coefficients and the board's ADC: the shape of firmware/calibration.ts
 * `SensorCalibration` (hardware/ may not import firmware/; the simulator passes this where that
 * type is required, so the type checker keeps the two in step). It reaches the device through
 * manifest.json's platform config (`mc/config` `sensors`).
 */
export interface SensorCalibrationData {
  adcFullScaleMv: number;
  ntc: { seriesOhm: number; supplyMv: number; model: "beta"; r25Ohm: number; beta: number };
  ct: { unitsPerCount: number; biasCounts: number; biasToleranceCounts: number };
  leakage: { unitsPerCount: number; biasCounts: number; biasToleranceCounts: number };
  tmp117Address: number;
  cableTmp117Address: number;
}

export function sensorCalibration(board: BoardDefinition): SensorCalibrationData {
  const c = sensorNode.coefficients;
  const countsPerVolt = ((2 ** board.adcResolutionBits - 1) * 1000) / board.adcFullScaleMv;
  const round = (value: number) => Math.round(value * 1e6) / 1e6;
  return {
    adcFullScaleMv: board.adcFullScaleMv,
    ntc: { seriesOhm: c.heat.seriesOhm, supplyMv: c.heat.supplyV * 1000, model: "beta", r25Ohm: c.heat.r25Ohm, beta: c.heat.betaK },
    ct: {
      unitsPerCount: round(c.current.ampsPerVolt / countsPerVolt),
      biasCounts: Math.round(c.current.biasV * countsPerVolt),
      biasToleranceCounts: Math.round(c.current.biasToleranceV * countsPerVolt),
    },
    leakage: {
      unitsPerCount: round(c.leakage.milliampsPerVolt / countsPerVolt),
      biasCounts: Math.round(c.leakage.biasV * countsPerVolt),
      biasToleranceCounts: Math.round(c.leakage.biasToleranceV * countsPerVolt),
    },
    tmp117Address: c.tmp117.address,
    cableTmp117Address: c.cableProbe.address,
  };
}
