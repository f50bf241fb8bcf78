/**
 * What a node can raise.
 * (A charging session's start and end are events, `charge-started` and `charge-ended`, not alarms.)
 *
 * - `smoke`: `severity` "warning" is the pre-alarm (sustained obscuration below the alarm level),
 *   "alarm" the fire alarm. The two are raised and cleared independently.
 * - `heat`: EN 54-5 class A1R (static or rate-of-rise element; `detector.element` says which).
 * - `overcurrent`: inverse time–current curve tripped (IEC 60255-151 style).
 * - `leakage`: residual current above the GB 14287.2 alarm setting.
 * - `cable-overheat`: a circuit's cable or terminal at its GB 14287.3 alarm setting (55–140 °C).
 * - `charge-overrun`: "warning"; current persists past the longest plausible charge.
 * - `charge-pack-fault`: "alarm"; a current step during charging that looks like a failing pack.
 * - `sensor-fault`: a sensor is open, short, stuck, noisy or out of range — a fault, never a fire;
 *   `sensor` names it and `fault` says how it failed.
 */
export const ALARM_KINDS = [
  "smoke",
  "heat",
  "overcurrent",
  "leakage",
  "cable-overheat",
  "sensor-fault",
  // E-bike charging on a shed circuit (sensor node).
  "charge-overrun",
  "charge-pack-fault",
  // Elevator lock (maintenance, severity warning): the hold reached its limit; the e-bike
  // detector's heartbeat stopped; the relay's sense contact disagrees with its drive.
  "lock-max-hold",
  "detector-lost",
  "relay-fault",
  // Capsule: the AED left its cabinet (urgent: someone may be in cardiac arrest); maintenance
  // alarms for a door left open, a cabinet too hot or cold for the AED, a low backup battery.
  "aed-removed",
  "door-left-open",
  "cabinet-temperature",
  "battery-low",
] as const;
export type AlarmKind = (typeof ALARM_KINDS)[number];

/** Ordered from least to most urgent; routing and the console sort by this order. */
export const SEVERITIES = ["info", "warning", "alarm", "urgent"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const ALARM_STATES = ["raised", "cleared"] as const;
export type AlarmState = (typeof ALARM_STATES)[number];

/** How a sensor failed, carried by `sensor-fault` alarms. */
export const FAULT_KINDS = ["open", "short", "stuck", "noisy", "out-of-range", "no-response", "drift-limit"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
