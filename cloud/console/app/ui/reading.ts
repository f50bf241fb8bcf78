import { t } from "../i18n/i18n";

interface AlarmReading {
  kind: string;
  threshold: number;
  latestValue: number;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** Seconds as staff say them: seconds under two minutes, whole minutes above. */
function duration(seconds: number): string {
  return seconds < 120 ? t("duration.seconds", { n: Math.round(seconds) }) : t("duration.minutes", { n: Math.round(seconds / 60) });
}

/**
 * The newest reading in words and its real unit, against its alarm line (the server's summary
 * says the same in cloud/incidents/reading.ts). The node's unit codes ("raw", "ntc", "level")
 * stay in the details view. Smoke comes from the chamber in ADC counts, which have no physical
 * unit without a per-chamber lab calibration, so it reads as a level against its alarm line.
 */
export function readingText({ kind, threshold, latestValue: value }: AlarmReading): string {
  const v = round1(value);
  const line = round1(threshold);
  switch (kind) {
    case "smoke":
      return t("reading.smoke", { percent: threshold > 0 ? Math.round((value / threshold) * 100) : 0 });
    case "heat":
      return t("reading.temperature", { value: v, threshold: line });
    case "cable-overheat":
      return t("reading.cableTemperature", { value: v, threshold: line });
    case "cabinet-temperature":
      return t("reading.cabinetTemperature", { value: v, threshold: line });
    case "leakage":
      return t("reading.residualCurrent", { value: v, threshold: line });
    case "overcurrent":
      return t("reading.current", { value: v, threshold: line });
    case "charge-overrun":
      return t("reading.chargeOverrun", { value: v });
    case "charge-pack-fault":
      return t("reading.chargePackFault", { value: v });
    case "lock-max-hold":
      return t("reading.lockHold", { held: duration(value), limit: duration(threshold) });
    case "detector-lost":
      return t("reading.detectorLost", { silent: duration(value / 1000) });
    case "relay-fault":
      return t("reading.relayFault");
    case "aed-removed":
      return t("reading.aedRemoved");
    case "door-left-open":
      return t("reading.doorOpen", { held: duration(value * 60), limit: duration(threshold * 60) });
    case "battery-low":
      return t("reading.batteryLow", { value: v, threshold: line });
    case "sensor-fault":
      return t("reading.sensorFault");
    default:
      return t("detail.reading", { value: v, threshold: line });
  }
}
