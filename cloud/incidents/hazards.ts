import type { AlarmKind } from "../../shared/alarms";
import type { Hazard } from "../db/schema";

/**
 * Which hazard each alarm kind a node raises means (shared/alarms.ts; smoke and heat are below).
 * Typed by the kinds, so a kind added there without a hazard fails to compile.
 * - An elevator whose hold reached its limit still has an e-bike in the car: e-bike blocked.
 * - A lost detector, a relay whose sense contact disagrees, a cabinet too hot or cold for the AED:
 *   the equipment needs a technician, as a sensor fault does.
 * - A low backup battery: the node is about to go dark, as an offline node has.
 */
const NODE_KIND_HAZARD: Record<Exclude<AlarmKind, "smoke" | "heat">, Hazard> = {
  overcurrent: "electrical",
  leakage: "electrical",
  "cable-overheat": "electrical",
  "sensor-fault": "sensor-fault",
  "lock-max-hold": "ebike-blocked",
  "detector-lost": "sensor-fault",
  "relay-fault": "sensor-fault",
  "aed-removed": "aed-removed",
  "door-left-open": "capsule-door",
  "cabinet-temperature": "sensor-fault",
  "battery-low": "node-offline",
  // E-bike charging on a shed circuit: a charger that never stops, or a step that looks like a
  // failing pack, is an electrical fire risk.
  "charge-overrun": "electrical",
  "charge-pack-fault": "electrical",
};

/**
 * Kinds no node raises yet, by the names they are expected to use; an unknown kind still makes
 * an incident ("unclassified") rather than being dropped.
 */
const EXPECTED_KIND_HAZARD: Record<string, Hazard> = {
  "arc-fault": "electrical",
  electrical: "electrical",
  "ebike-blocked": "ebike-blocked",
  "node-offline": "node-offline",
};

const KIND_HAZARD: Record<string, Hazard> = { ...EXPECTED_KIND_HAZARD, ...NODE_KIND_HAZARD };

/**
 * Smoke or heat at alarm level is a fire; below it (a rising trend, GB 4715's pre-alarm stage) it is
 * a pre-alarm, which goes to fewer people first.
 */
export function classifyAlarm(kind: string, severity: string): Hazard {
  if (kind === "smoke" || kind === "heat" || kind === "fire") {
    return severity === "alarm" || severity === "urgent" ? "fire" : "smoke-prealarm";
  }
  return KIND_HAZARD[kind] ?? "unclassified";
}

/** Hazards where a node reading normal is not proof the danger is gone: a person must confirm. */
export const FIRE_CLASS: ReadonlySet<Hazard> = new Set<Hazard>(["fire", "smoke-prealarm", "electrical"]);

/** Plain names for summaries, messages and CAP `event`. */
export const HAZARD_LABELS: Record<Hazard, { en: string; zh: string }> = {
  fire: { en: "Fire alarm", zh: "火警" },
  "smoke-prealarm": { en: "Smoke pre-alarm", zh: "烟雾预警" },
  electrical: { en: "Electrical fault", zh: "电气故障" },
  "ebike-blocked": { en: "E-bike blocked at elevator", zh: "电动车进电梯拦截" },
  "aed-removed": { en: "AED removed from capsule", zh: "AED 被取出" },
  "capsule-door": { en: "Capsule door open", zh: "应急舱门开启" },
  "node-offline": { en: "Node offline", zh: "设备离线" },
  "sensor-fault": { en: "Sensor fault", zh: "传感器故障" },
  "resident-report": { en: "Resident hazard report", zh: "居民隐患上报" },
  unclassified: { en: "Unclassified alarm", zh: "未分类告警" },
};

const SEVERITY_ORDER = ["info", "warning", "alarm", "urgent"];

/** The more urgent of two severities; unknown ones rank lowest. */
export function maxSeverity(a: string, b: string): string {
  return SEVERITY_ORDER.indexOf(b) > SEVERITY_ORDER.indexOf(a) ? b : a;
}
