/** What a node can raise. Later kinds (electrical, e-bike, capsule) extend this list. */
export const ALARM_KINDS = [
  "smoke",
  "heat",
  "overcurrent",
  "leakage",
  "sensor-fault",
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
