import type { FaultKind } from "../shared/alarms";

/**
 * Sensor faults as small integers, so drivers and detectors pass them per sample without
 * allocating; `FAULT_NAMES` turns one into the wire name only when a fault is reported.
 */
export const FAULT_NONE = 0;
export const FAULT_OPEN = 1;
export const FAULT_SHORT = 2;
export const FAULT_STUCK = 3;
export const FAULT_NOISY = 4;
export const FAULT_OUT_OF_RANGE = 5;
export const FAULT_NO_RESPONSE = 6;
export const FAULT_DRIFT_LIMIT = 7;

const NAMES: readonly FaultKind[] = ["open", "short", "stuck", "noisy", "out-of-range", "no-response", "drift-limit"];

export function faultName(code: number): FaultKind {
  const name = NAMES[code - 1];
  if (!name) throw new RangeError(`no sensor fault has code ${code}`);
  return name;
}
