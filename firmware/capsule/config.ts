import { displayTextProblem } from "../../shared/events";
import { linkConfigProblem, type LinkConfig } from "../link/link-config";
import { otaConfigProblem, type OtaConfig } from "../ota/ota-config";

/** What a capsule node is told. Times in ms; see `capsuleDefaults` for the shipped values. */
export interface CapsuleNodeConfig extends LinkConfig {
  /** Present when the node takes over-the-air updates (firmware/ota); it never switches during a hold or an alarm. */
  ota?: OtaConfig;
  /** Door and AED switches are read every tick. */
  tickMs: number;
  /** A door must hold its new position this long (reed bounce, a door rattled by wind). */
  doorDebounceMs: number;
  /** The AED switch must stay open this long before the AED counts as removed. */
  aedDebounceMs: number;
  /** The capsule door open this long raises one maintenance alarm. */
  doorOpenAlarmMs: number;
  /** Cabinet temperature and supply voltage are sampled this often. */
  sampleIntervalMs: number;
  /**
   * The AED's operating range. Most AEDs list 0–50 °C (e.g. aed.com and TSS Safety's care notes:
   * "normally listed at 32° to 122°F (0° to 50°C) for most units"); set the installed model's
   * range from its technical data.
   */
  temperature: { minC: number; maxC: number; hysteresisC: number; holdSamples: number };
  /** The cabinet thermistor and its divider (an NTC from pin to ground, `seriesOhm` from the supply). */
  ntc: { r25Ohm: number; beta: number; seriesOhm: number; supplyMv: number };
  /** Backup battery through a divider; low below `lowV`, fine again above `okV`. */
  supply: { ratio: number; lowV: number; okV: number; holdSamples: number };
  display: { uartPort: number; component: string; defaultText: string };
}

export const capsuleDefaults = {
  tickMs: 100,
  doorDebounceMs: 300,
  aedDebounceMs: 500,
  doorOpenAlarmMs: 600_000,
  sampleIntervalMs: 10_000,
  temperature: { minC: 0, maxC: 50, hysteresisC: 2, holdSamples: 3 },
  // A 10 kΩ, B 3950 NTC below 33 kΩ from 3.3 V: about −18 °C … 75 °C inside the ADC's 2.45 V span.
  ntc: { r25Ohm: 10_000, beta: 3950, seriesOhm: 33_000, supplyMv: 3300 },
  // 12 V sealed lead-acid backup through 100 kΩ / 18 kΩ: 14.4 V charging is 2.2 V at the pin.
  // 11.5 V is the common "low battery" point of 12 V alarm-panel batteries.
  supply: { ratio: 18 / 118, lowV: 11.5, okV: 12.0, holdSamples: 3 },
  display: { uartPort: 1, component: "t0", defaultText: "" },
} satisfies Omit<CapsuleNodeConfig, keyof LinkConfig>;

export function capsuleConfigProblem(config: CapsuleNodeConfig): string | null {
  const link = linkConfigProblem(config);
  if (link) return link;
  const within = (name: keyof CapsuleNodeConfig, min: number, max: number): string | null => {
    const value = config[name] as unknown;
    return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max ? null : `${name} must be a whole number from ${min} to ${max}`;
  };
  const problem =
    within("tickMs", 10, 1000) ??
    within("doorDebounceMs", 0, 10_000) ??
    within("aedDebounceMs", 0, 10_000) ??
    within("doorOpenAlarmMs", 10_000, 86_400_000) ??
    within("sampleIntervalMs", 1000, 3_600_000);
  if (problem) return problem;
  const t = config.temperature;
  if (!t || !(t.minC < t.maxC)) return "temperature.minC must be below temperature.maxC";
  if (!(t.hysteresisC > 0 && t.hysteresisC < t.maxC - t.minC)) return "temperature.hysteresisC must be positive and smaller than the range";
  if (!(Number.isInteger(t.holdSamples) && t.holdSamples >= 1 && t.holdSamples <= 64)) return "temperature.holdSamples must be 1–64";
  const n = config.ntc;
  if (!n || !(n.r25Ohm > 0 && n.beta > 0 && n.seriesOhm > 0 && n.supplyMv > 0)) return "ntc values must be positive";
  const s = config.supply;
  if (!s || !(s.ratio > 0 && s.ratio <= 1)) return "supply.ratio must be in (0, 1]";
  if (!(s.lowV > 0 && s.okV > s.lowV)) return "supply.okV must be above supply.lowV";
  if (!(Number.isInteger(s.holdSamples) && s.holdSamples >= 1 && s.holdSamples <= 64)) return "supply.holdSamples must be 1–64";
  const d = config.display;
  if (!d || !(Number.isInteger(d.uartPort) && d.uartPort >= 1 && d.uartPort <= 2)) return "display.uartPort must be 1 or 2 (UART0 is the console)";
  if (!/^[A-Za-z][A-Za-z0-9_]{0,13}$/.test(d.component)) return "display.component must be a Nextion component name";
  const text = displayTextProblem(d.defaultText);
  if (text) return `display.defaultText: ${text}`;
  if (config.ota) return otaConfigProblem(config.ota);
  return null;
}
