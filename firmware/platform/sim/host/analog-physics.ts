import type { CapsuleNodeConfig } from "../../../capsule/config";

/**
 * ADC counts the simulated capsule's pins must read for a given temperature or voltage: the
 * physics of its divider circuits, computed independently of the firmware's own conversion.
 */
export function ntcCounts(temperatureC: number, ntc: CapsuleNodeConfig["ntc"], fullScaleMv = 2450, bits = 12): number {
  const kelvin = temperatureC + 273.15;
  const ohm = ntc.r25Ohm * Math.exp(ntc.beta * (1 / kelvin - 1 / 298.15));
  const mv = (ntc.supplyMv * ohm) / (ntc.seriesOhm + ohm);
  return Math.min(2 ** bits - 1, Math.round((mv / fullScaleMv) * (2 ** bits - 1)));
}

export function dividerCounts(volts: number, ratio: number, fullScaleMv = 2450, bits = 12): number {
  return Math.min(2 ** bits - 1, Math.round(((volts * ratio * 1000) / fullScaleMv) * (2 ** bits - 1)));
}
