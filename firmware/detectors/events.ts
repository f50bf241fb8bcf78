import type { AlarmKind, AlarmState, Severity } from "../../shared/alarms";
import { FAULT_NONE } from "../faults";

/**
 * What a detector decides about: an alarm kind, or `charge-session`, which the node sends as
 * `charge-started`/`charge-ended` events rather than as an alarm.
 */
export type DetectorEventKind = AlarmKind | "charge-session";

/** One decision of a detector, in a slot the detector owns and reuses. */
export interface DetectorEvent {
  kind: DetectorEventKind;
  severity: Severity;
  state: AlarmState;
  value: number;
  threshold: number;
  /** For `sensor-fault`: the FAULT_* code. */
  fault: number;
}

/**
 * The events of one `update`, in preallocated slots: a detector fills them with constant strings
 * and numbers, so deciding allocates nothing; only reporting an event (the alarm message) does.
 */
export class EventQueue {
  readonly slots: readonly DetectorEvent[];
  count = 0;

  constructor(capacity = 4) {
    const slots: DetectorEvent[] = [];
    for (let i = 0; i < capacity; i++) slots.push({ kind: "smoke", severity: "info", state: "raised", value: 0, threshold: 0, fault: FAULT_NONE });
    this.slots = slots;
  }

  push(kind: DetectorEventKind, severity: Severity, state: AlarmState, value: number, threshold: number, fault: number = FAULT_NONE): void {
    if (this.count === this.slots.length) throw new RangeError("detector event queue overflow");
    const slot = this.slots[this.count++];
    slot.kind = kind;
    slot.severity = severity;
    slot.state = state;
    slot.value = value;
    slot.threshold = threshold;
    slot.fault = fault;
  }
}

/**
 * What every detector offers the node: `update` with a sample and its time, returning how many
 * events it left in `events`; evidence and state for the alarm message, built only when one is sent.
 * A detector is a pure state machine over (sample, time): constant memory, no clock of its own.
 */
export interface Detector {
  readonly events: EventQueue;
  /** Unit of `update`'s samples, of event values and of the evidence. */
  readonly unit: string;
  /** Short name of the sensor feeding it, for `sensor` in alarms. */
  readonly sensor: string;
  readonly evidenceIntervalMs: number;
  /** `fault` is a FAULT_* code the driver saw on this reading (open, short, no response). */
  update(value: number, timeMs: number, fault?: number): number;
  evidence(): number[];
  snapshot(): Record<string, number>;
}
