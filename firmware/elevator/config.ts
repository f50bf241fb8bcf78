import { linkConfigProblem, type LinkConfig } from "../link/link-config";
import { otaConfigProblem, type OtaConfig } from "../ota/ota-config";

/** What an elevator lock node is told. Times in ms; see `elevatorDefaults` for the shipped values. */
export interface ElevatorNodeConfig extends LinkConfig {
  /** Present when the node takes over-the-air updates (firmware/ota); it never switches during a hold or an alarm. */
  ota?: OtaConfig;
  /** Inputs are read and the relay's pulse train advanced every tick. */
  tickMs: number;
  /** A confirmed e-bike must be seen this long, without a break, before the car is held. */
  confirmMs: number;
  /** The car must look clear this long before a hold ends by `clear`. */
  clearMs: number;
  /** The maintenance key must hold its position this long (contact bounce). */
  keyDebounceMs: number;
  /** No edge on the detector's heartbeat for this long: the detector is lost. */
  detectorTimeoutMs: number;
  /** The longest hold; then release and a maintenance alarm. */
  maxHoldMs: number;
  /** While holding, the voice prompt is played again this often. */
  promptRepeatMs: number;
  /** File numbers on the voice module's card. */
  voice: { promptTrack: number; selfTestTrack: number; volume: number; uartPort: number };
  /** How long the relay's sense contact may disagree with its drive before it is a fault. */
  relaySenseSettleMs: number;
  /** Counts are reported and restarted this often (24 h). */
  countsIntervalMs: number;
}

export const elevatorDefaults = {
  tickMs: 50,
  confirmMs: 1000,
  clearMs: 3000,
  keyDebounceMs: 200,
  detectorTimeoutMs: 3000,
  maxHoldMs: 180_000,
  promptRepeatMs: 8000,
  voice: { promptTrack: 1, selfTestTrack: 2, volume: 25, uartPort: 1 },
  relaySenseSettleMs: 1000,
  countsIntervalMs: 86_400_000,
} satisfies Omit<ElevatorNodeConfig, keyof LinkConfig>;

export function elevatorConfigProblem(config: ElevatorNodeConfig): string | null {
  const link = linkConfigProblem(config);
  if (link) return link;
  const within = (name: keyof ElevatorNodeConfig, min: number, max: number): string | null => {
    const value = config[name] as unknown;
    return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max ? null : `${name} must be a whole number from ${min} to ${max}`;
  };
  const problem =
    within("tickMs", 10, 200) ??
    within("confirmMs", 0, 30_000) ??
    within("clearMs", 0, 60_000) ??
    within("keyDebounceMs", 0, 5000) ??
    within("detectorTimeoutMs", 500, 60_000) ??
    within("maxHoldMs", 10_000, 600_000) ??
    within("promptRepeatMs", 1000, 600_000) ??
    within("relaySenseSettleMs", 100, 5000) ??
    within("countsIntervalMs", 60_000, 7 * 86_400_000);
  if (problem) return problem;
  if (config.detectorTimeoutMs < 4 * config.tickMs) return "detectorTimeoutMs must be at least 4 ticks";
  const voice = config.voice;
  if (!voice) return "voice is required";
  for (const name of ["promptTrack", "selfTestTrack"] as const) {
    if (!(Number.isInteger(voice[name]) && voice[name] >= 1 && voice[name] <= 2999)) return `voice.${name} must be a file number from 1 to 2999`;
  }
  if (!(Number.isInteger(voice.volume) && voice.volume >= 0 && voice.volume <= 30)) return "voice.volume must be 0–30";
  if (!(Number.isInteger(voice.uartPort) && voice.uartPort >= 1 && voice.uartPort <= 2)) return "voice.uartPort must be 1 or 2 (UART0 is the console)";
  if (config.ota) return otaConfigProblem(config.ota);
  return null;
}
