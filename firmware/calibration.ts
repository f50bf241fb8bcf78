/**
 * What a board's analog front ends need to turn ADC counts into physical units. It comes from the
 * board definition (hardware/boards) through mc/config on the device and through the simulator's
 * boot request in tests; the same validator checks both.
 */
export interface SensorCalibration {
  /**
   * Millivolts at full-scale ADC counts: the board's `adcFullScaleMv` (Moddable's ESP32 Analog
   * reads calibrated at 12 dB attenuation and scales to 2450 mV).
   */
  adcFullScaleMv: number;
  ntc: NtcCalibration;
  /** CT clamp on the protected circuit, biased to mid-scale: amperes per ADC count of the AC part. */
  ct: AcChannelCalibration;
  /** Residual-current (zero-sequence) transformer: milliamperes per ADC count of the AC part. */
  leakage: AcChannelCalibration;
  /** I2C digital temperature sensor (TI TMP117) address: 0x48 with ADD0 to GND (datasheet, "Serial Bus Address"). */
  tmp117Address: number;
  /**
   * The circuit's cable-temperature probe (GB 14287.3): a second TMP117 bonded to the terminal
   * or cable, on the same bus at its own address (ADD0 to V+: 0x49).
   */
  cableTmp117Address: number;
}

/**
 * NTC thermistor from the ADC node to ground, with `seriesOhm` from the node to `supplyMv`.
 * `beta` uses the B-parameter equation; `steinhart-hart` uses A, B, C (1/T = A + B·ln R + C·ln³R).
 */
export type NtcCalibration =
  | { seriesOhm: number; supplyMv: number; model: "beta"; r25Ohm: number; beta: number }
  | { seriesOhm: number; supplyMv: number; model: "steinhart-hart"; a: number; b: number; c: number };

export interface AcChannelCalibration {
  /** Physical units (A or mA) per ADC count of the waveform's AC part. */
  unitsPerCount: number;
  /** Counts at zero current: the bias the front end adds so the ADC sees both half-waves. */
  biasCounts: number;
  /** How far the measured DC level may sit from `biasCounts` before the channel counts as faulty. */
  biasToleranceCounts: number;
}

/** Returns null when the calibration is usable, or the first reason it is not. */
export function calibrationProblem(c: SensorCalibration, adcResolutionBits: number): string | null {
  const maxCount = 2 ** adcResolutionBits - 1;
  if (!positive(c.adcFullScaleMv)) return "adcFullScaleMv must be positive";
  const n = c.ntc;
  if (!n || !positive(n.seriesOhm) || !positive(n.supplyMv)) return "ntc.seriesOhm and ntc.supplyMv must be positive";
  if (n.model === "beta") {
    if (!positive(n.r25Ohm) || !positive(n.beta)) return "ntc.r25Ohm and ntc.beta must be positive";
  } else if (n.model === "steinhart-hart") {
    if (![n.a, n.b, n.c].every(Number.isFinite) || !(n.b > 0)) return "ntc Steinhart–Hart coefficients must be finite, with b positive";
  } else {
    return 'ntc.model must be "beta" or "steinhart-hart"';
  }
  for (const [name, channel] of [["ct", c.ct], ["leakage", c.leakage]] as const) {
    if (!channel || !positive(channel.unitsPerCount)) return `${name}.unitsPerCount must be positive`;
    if (!(channel.biasCounts > 0 && channel.biasCounts < maxCount)) return `${name}.biasCounts must lie inside the ADC range`;
    if (!positive(channel.biasToleranceCounts)) return `${name}.biasToleranceCounts must be positive`;
  }
  if (!(Number.isInteger(c.tmp117Address) && c.tmp117Address >= 0x48 && c.tmp117Address <= 0x4b)) {
    return "tmp117Address must be 0x48–0x4B";
  }
  if (!(Number.isInteger(c.cableTmp117Address) && c.cableTmp117Address >= 0x48 && c.cableTmp117Address <= 0x4b && c.cableTmp117Address !== c.tmp117Address)) {
    return "cableTmp117Address must be 0x48–0x4B and not the ambient TMP117's";
  }
  return null;
}

function positive(value: unknown): boolean {
  return typeof value === "number" && Number.isFinite(value) && value > 0;
}
