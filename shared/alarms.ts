/** What a node can raise. Later kinds (electrical, e-bike, capsule) extend this list. */
export const ALARM_KINDS = ["smoke", "heat", "overcurrent", "leakage", "sensor-fault"] as const;
export type AlarmKind = (typeof ALARM_KINDS)[number];

/** Ordered from least to most urgent; routing and the console sort by this order. */
export const SEVERITIES = ["info", "warning", "alarm", "urgent"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const ALARM_STATES = ["raised", "cleared"] as const;
export type AlarmState = (typeof ALARM_STATES)[number];
