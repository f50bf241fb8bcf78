import { isRecord, isFiniteNumber, isCount, oneOf } from "./checks";

/**
 * What elevator locks and capsules report on the `event` channel, in an EventMessage's `name`,
 * with their state after the event in `state`. They travel QoS 1 through the same outbox as
 * alarms, so they arrive in order, and the cloud's "current state" is the newest event's
 * snapshot, never a replay of history. `started` is sent once per boot, when the node's inputs
 * have settled. The link's own events (`booted`, `config-applied`) carry no state.
 */
export const ELEVATOR_EVENTS = [
  "started",
  "hold-start",
  "hold-end",
  "override-on",
  "override-off",
  "detector-lost",
  "detector-restored",
  "lock-enabled",
  "lock-disabled",
  "daily-counts",
] as const;
export type ElevatorEvent = (typeof ELEVATOR_EVENTS)[number];

export const CAPSULE_EVENTS = [
  "started",
  "capsule-opened",
  "capsule-closed",
  "aed-cabinet-opened",
  "aed-cabinet-closed",
  "aed-removed",
  "aed-returned",
  "door-left-open",
  "temperature-out-of-range",
  "temperature-normal",
  "battery-low",
  "battery-ok",
  "display-set",
] as const;
export type CapsuleEvent = (typeof CAPSULE_EVENTS)[number];

export type DeviceEventName = ElevatorEvent | CapsuleEvent;

/**
 * Why a hold ended. `clear`: the detector saw the car empty of e-bikes; `max-hold`: the hold
 * reached its limit; `override`: the maintenance key; `fault`: the detector's signal was lost, or
 * the node restarted during a hold; `disabled`: the lock was disabled from the cloud.
 */
export const RELEASED_BY = ["clear", "max-hold", "override", "fault", "disabled"] as const;
export type ReleasedBy = (typeof RELEASED_BY)[number];

export interface ElevatorState {
  kind: "elevator";
  lock: "held" | "released";
  enabled: boolean;
  detector: "ok" | "lost";
  override: boolean;
  ebike: boolean;
}

export interface CapsuleState {
  kind: "capsule";
  capsuleDoor: "open" | "closed";
  aedCabinetDoor: "open" | "closed";
  aed: "present" | "removed";
  /** null while the thermistor reads open or shorted. */
  temperatureC: number | null;
  supplyV: number | null;
  display: string;
  /**
   * The cabinet temperature range the node is set to keep the AED within (its model's operating
   * range), so a reader can see the temperature against it. Older firmware leaves it out.
   */
  aedRangeC?: { minC: number; maxC: number };
}

export type DeviceState = ElevatorState | CapsuleState;

export const MAX_DISPLAY_CHARS = 64;

/**
 * Null when an event's device fields (`state`, `durationMs`, `releasedBy`, `cause`) are well
 * formed, else what is wrong. An event with a state must be one its device kind sends; a
 * `hold-end` must say how it ended; `daily-counts` carries counts in `data`.
 */
export function deviceEventProblem(m: { name?: unknown; data?: unknown; state?: unknown; durationMs?: unknown; releasedBy?: unknown; cause?: unknown }): string | null {
  const state = m.state;
  if (state !== undefined) {
    if (!isRecord(state)) return "state must be an object";
    if (state.kind === "elevator") {
      if (!oneOf(ELEVATOR_EVENTS, m.name)) return `an elevator event's name must be one of ${ELEVATOR_EVENTS.join(", ")}`;
      const problem = elevatorStateProblem(state);
      if (problem) return problem;
      if (m.name === "hold-end" && m.releasedBy === undefined) return "a hold-end event must say releasedBy";
      if (m.name === "daily-counts" && isRecord(m.data)) {
        for (const [name, value] of Object.entries(m.data)) if (!isCount(value)) return `daily count ${name} must be a non-negative integer`;
      }
    } else if (state.kind === "capsule") {
      if (!oneOf(CAPSULE_EVENTS, m.name)) return `a capsule event's name must be one of ${CAPSULE_EVENTS.join(", ")}`;
      const problem = capsuleStateProblem(state);
      if (problem) return problem;
    } else {
      return "state.kind must be elevator or capsule";
    }
  }
  if (m.durationMs !== undefined && !isCount(m.durationMs)) return "durationMs must be a non-negative integer";
  if (m.releasedBy !== undefined && !oneOf(RELEASED_BY, m.releasedBy)) return `releasedBy must be one of ${RELEASED_BY.join(", ")}`;
  if (m.cause !== undefined && !(typeof m.cause === "string" && /^[a-z][a-z0-9-]{0,31}$/.test(m.cause))) return "cause must be a short word";
  return null;
}

/** A display line the cloud may set: printable, one line, no quote or backslash (the display's command syntax uses them). */
export function displayTextProblem(text: unknown): string | null {
  if (typeof text !== "string") return "text must be a string";
  if (text.length > MAX_DISPLAY_CHARS) return `text must be at most ${MAX_DISPLAY_CHARS} characters`;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return "text must be one line of printable characters";
    if (code === 0x22 || code === 0x5c) return 'text may not contain " or \\';
  }
  return null;
}

function elevatorStateProblem(state: Record<string, unknown>): string | null {
  if (state.lock !== "held" && state.lock !== "released") return "state.lock must be held or released";
  if (typeof state.enabled !== "boolean") return "state.enabled must be true or false";
  if (state.detector !== "ok" && state.detector !== "lost") return "state.detector must be ok or lost";
  if (typeof state.override !== "boolean") return "state.override must be true or false";
  if (typeof state.ebike !== "boolean") return "state.ebike must be true or false";
  return null;
}

function capsuleStateProblem(state: Record<string, unknown>): string | null {
  if (state.capsuleDoor !== "open" && state.capsuleDoor !== "closed") return "state.capsuleDoor must be open or closed";
  if (state.aedCabinetDoor !== "open" && state.aedCabinetDoor !== "closed") return "state.aedCabinetDoor must be open or closed";
  if (state.aed !== "present" && state.aed !== "removed") return "state.aed must be present or removed";
  if (state.temperatureC !== null && !isFiniteNumber(state.temperatureC)) return "state.temperatureC must be a number or null";
  if (state.supplyV !== null && !isFiniteNumber(state.supplyV)) return "state.supplyV must be a number or null";
  const display = displayTextProblem(state.display);
  if (display) return `state.display: ${display}`;
  if (state.aedRangeC !== undefined) {
    const range = state.aedRangeC;
    if (!isRecord(range) || !isFiniteNumber(range.minC) || !isFiniteNumber(range.maxC) || !(range.minC < range.maxC)) {
      return "state.aedRangeC must be { minC, maxC } with minC below maxC";
    }
  }
  return null;
}




