import { relativeTime, t, type MessageKey } from "../i18n/i18n";

/**
 * The codes nodes, locks and updates send, each with its words in the catalogues. Tables rather
 * than `tCode` families so each key is written out here (the catalogue test finds it), and
 * tests/cloud/console-maintenance-words.test.ts checks every code the server can send has one.
 */
export const NODE_KIND_WORDS: Record<string, MessageKey> = {
  smoke: "nodes.kind.smoke",
  sensor: "nodes.kind.sensor",
  elevator: "nodes.kind.elevator",
  capsule: "nodes.kind.capsule",
};

export const PROBLEM_WORDS: Record<string, MessageKey> = {
  offline: "nodes.problem.offline",
  fault: "nodes.problem.fault",
  lowHeap: "nodes.problem.lowHeap",
  backlog: "nodes.problem.backlog",
  weakRssi: "nodes.problem.weakRssi",
};

/** Why a node last started (firmware/platform/esp32/esp32-system.ts RESET_REASONS, and the simulator's). */
export const RESET_WORDS: Record<string, MessageKey> = {
  "power-on": "nodes.reset.powerOn",
  "external-pin": "nodes.reset.externalPin",
  software: "nodes.reset.software",
  panic: "nodes.reset.panic",
  "interrupt-wdt": "nodes.reset.watchdog",
  "task-wdt": "nodes.reset.watchdog",
  "other-wdt": "nodes.reset.watchdog",
  "deep-sleep": "nodes.reset.deepSleep",
  brownout: "nodes.reset.brownout",
  sdio: "nodes.reset.other",
  unknown: "nodes.reset.other",
};

export const SENSOR_STATE_WORDS: Record<string, MessageKey> = {
  ok: "nodes.sensorState.ok",
  fault: "nodes.sensorState.fault",
  unknown: "nodes.sensorState.unknown",
};

/** Telemetry readings by the name the node gives them (firmware/node/sensing.ts, capsule and smoke nodes). */
export const METRIC_WORDS: Record<string, MessageKey> = {
  smokeRaw: "nodes.metric.smokeRaw",
  smokeBaselineRaw: "nodes.metric.smokeBaselineRaw",
  ntcC: "nodes.metric.ntcC",
  tmp117C: "nodes.metric.tmp117C",
  cableC: "nodes.metric.cableC",
  temperatureC: "nodes.metric.temperatureC",
  currentA: "nodes.metric.currentA",
  leakageMa: "nodes.metric.leakageMa",
  supplyV: "nodes.metric.supplyV",
};

export const ALARM_KIND_WORDS: Record<string, MessageKey> = {
  smoke: "nodes.alarmKind.smoke",
  heat: "nodes.alarmKind.heat",
  overcurrent: "nodes.alarmKind.overcurrent",
  leakage: "nodes.alarmKind.leakage",
  "cable-overheat": "nodes.alarmKind.cableOverheat",
  "sensor-fault": "nodes.alarmKind.sensorFault",
  "charge-overrun": "nodes.alarmKind.chargeOverrun",
  "charge-pack-fault": "nodes.alarmKind.chargePackFault",
  "lock-max-hold": "nodes.alarmKind.lockMaxHold",
  "detector-lost": "nodes.alarmKind.detectorLost",
  "relay-fault": "nodes.alarmKind.relayFault",
  "aed-removed": "nodes.alarmKind.aedRemoved",
  "door-left-open": "nodes.alarmKind.doorLeftOpen",
  "cabinet-temperature": "nodes.alarmKind.cabinetTemperature",
  "battery-low": "nodes.alarmKind.batteryLow",
};

export const COMMAND_WORDS: Record<string, MessageKey> = {
  "self-test": "nodeCommands.op.selfTest",
  "relay-test": "nodeCommands.op.relayTest",
  reboot: "nodeCommands.op.reboot",
  config: "nodeCommands.op.config",
  enable: "nodeCommands.op.enable",
  disable: "nodeCommands.op.disable",
  display: "nodeCommands.op.display",
};

export const COMMAND_STATUS_WORDS: Record<string, MessageKey> = {
  sent: "nodeCommands.status.sent",
  ok: "nodeCommands.status.ok",
  refused: "nodeCommands.status.refused",
  failed: "nodeCommands.status.failed",
};

/** How a hold ended (shared/events.ts RELEASED_BY). */
export const RELEASED_WORDS: Record<string, MessageKey> = {
  clear: "elevators.released.clear",
  "max-hold": "elevators.released.maxHold",
  override: "elevators.released.override",
  fault: "elevators.released.fault",
  disabled: "elevators.released.disabled",
};

/** Elevator events and the link's own (shared/events.ts ELEVATOR_EVENTS, `booted`, `config-applied`). */
export const ELEVATOR_EVENT_WORDS: Record<string, MessageKey> = {
  started: "elevators.event.started",
  "hold-start": "elevators.event.holdStart",
  "hold-end": "elevators.event.holdEnd",
  "override-on": "elevators.event.overrideOn",
  "override-off": "elevators.event.overrideOff",
  "detector-lost": "elevators.event.detectorLost",
  "detector-restored": "elevators.event.detectorRestored",
  "lock-enabled": "elevators.event.lockEnabled",
  "lock-disabled": "elevators.event.lockDisabled",
  "daily-counts": "elevators.event.dailyCounts",
  booted: "elevators.event.booted",
  "config-applied": "elevators.event.configApplied",
};

/** A campaign's status (cloud/db/schema/ota.ts CAMPAIGN_STATUSES). */
export const CAMPAIGN_STATUS_WORDS: Record<string, MessageKey> = {
  running: "updates.status.running",
  paused: "updates.status.paused",
  aborted: "updates.status.aborted",
  completed: "updates.status.completed",
};

/** A node's state within a campaign (cloud/ota/campaign-engine.ts MEMBER_STATES). */
export const MEMBER_STATE_WORDS: Record<string, MessageKey> = {
  pending: "updates.member.pending",
  offered: "updates.member.offered",
  deferred: "updates.member.deferred",
  downloading: "updates.member.downloading",
  verified: "updates.member.verified",
  applied: "updates.member.applied",
  healthy: "updates.member.healthy",
  failed: "updates.member.failed",
  "rolled-back": "updates.member.rolledBack",
  skipped: "updates.member.skipped",
  cancelled: "updates.member.cancelled",
};

/** A code in words; a code the table does not know yet is shown as it is rather than hidden. */
export function word(table: Record<string, MessageKey>, code: string | null | undefined): string {
  if (code === null || code === undefined) return "";
  return code in table ? t(table[code]) : code;
}

/** Bytes as a crew reads heap figures: KiB, whole. */
export function kib(bytes: number): string {
  return t("nodes.unit.kib", { n: Math.round(bytes / 1024) });
}

/** A duration in words: "45 秒", "3 分钟", "2 小时 5 分钟", "3 天". */
export function duration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return t("nodes.unit.seconds", { n: seconds });
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return t("nodes.unit.minutes", { n: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return t("nodes.unit.hoursMinutes", { h: hours, m: minutes % 60 });
  return t("nodes.unit.days", { n: Math.floor(hours / 24) });
}

/** A node's connection in words: online since when, or offline, why and since when. */
export function statusWords(node: { online: boolean; offlineReason: string | null; statusSince: string | null; lastHealthAt: string | null }): string {
  const when = node.statusSince ? relativeTime(node.statusSince) : "";
  if (node.online) return when ? t("nodes.status.onlineSince", { when }) : t("nodes.status.online");
  if (node.offlineReason === "will") return t("nodes.status.offlineWill", { when });
  if (node.offlineReason === "missed-heartbeats") return t("nodes.status.offlineSilent", { when });
  return node.lastHealthAt ? t("nodes.status.offline", { when }) : t("nodes.status.neverOnline");
}
