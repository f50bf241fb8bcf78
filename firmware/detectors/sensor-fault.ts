import type { EventQueue } from "./events";
import { LATCH_RAISED, type LatchChange } from "./hold-latch";
import type { SensorHealth } from "./sensor-health";

/**
 * Leaves the `sensor-fault` warning for a change of `health`'s latch in `events`: raised or
 * cleared, with the fault that latched (still named once it has cleared). `value` is the reading
 * the change came on and `threshold` the detector's own level, for whoever reads the warning.
 * Only a change calls it, so a sample that changes nothing pays nothing for it.
 */
export function pushSensorFault(events: EventQueue, health: SensorHealth, change: LatchChange, value: number, threshold: number): void {
  events.push("sensor-fault", "warning", change === LATCH_RAISED ? "raised" : "cleared", value, threshold, health.raisedFault);
}
