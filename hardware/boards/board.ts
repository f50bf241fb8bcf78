/**
 * A board definition: which chip, and which GPIO does what. The firmware never writes a pin
 * number; it reads them from `mc/config` (built from these definitions into manifest.json) on
 * the device, and from the same definitions in the simulator.
 */
export interface BoardDefinition {
  id: string;
  name: string;
  chip: "esp32" | "esp32s3";
  /** Moddable platform string for `mcconfig -p`. */
  platform: "esp32" | "esp32/esp32s3";
  adcResolutionBits: number;
  /**
   * Named GPIOs: `smoke` (chamber ADC), `smokeAlarm` (smoke IC alarm output), `ntc` (thermistor
   * ADC), `ct` (CT clamp ADC), `leakage` (residual-current ADC), `i2cData`/`i2cClock` (I2C bus).
   */
  pins: Record<string, number>;
  /** The analog front ends' coefficients, as the firmware's SensorCalibration expects them. */
  sensors: BoardSensors;
}

/**
 * Mirrors firmware/calibration.ts `SensorCalibration` (hardware/ may not import firmware/); the
 * simulator passes a board's `sensors` where the firmware's type is required, so the type checker
 * keeps the two in step.
 */
export interface BoardSensors {
  adcFullScaleMv: number;
  ntc:
    | { seriesOhm: number; supplyMv: number; model: "beta"; r25Ohm: number; beta: number }
    | { seriesOhm: number; supplyMv: number; model: "steinhart-hart"; a: number; b: number; c: number };
  ct: { unitsPerCount: number; biasCounts: number; biasToleranceCounts: number };
  leakage: { unitsPerCount: number; biasCounts: number; biasToleranceCounts: number };
  tmp117Address: number;
}
