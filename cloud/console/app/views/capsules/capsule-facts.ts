import { html, nothing, type TemplateResult } from "lit";
import type { CapsuleRecord } from "../../capsules-api";
import { relativeTime, t, type MessageKey } from "../../i18n/i18n";

/** What needs someone's attention at a capsule, worst first; the list sorts by the first. */
export type CapsuleProblem = "aed-removed" | "offline" | "door-open" | "temperature" | "battery" | "sensor";
const PROBLEM_RANK: Record<CapsuleProblem, number> = { "aed-removed": 0, offline: 1, "door-open": 2, temperature: 3, battery: 4, sensor: 5 };

export function capsuleProblems(c: CapsuleRecord): CapsuleProblem[] {
  const problems: CapsuleProblem[] = [];
  if (c.aed === "removed") problems.push("aed-removed");
  if (!c.online) problems.push("offline");
  if (c.capsuleDoor === "open" || c.aedCabinetDoor === "open") problems.push("door-open");
  if (temperatureOutOfRange(c)) problems.push("temperature");
  if (c.batteryLow) problems.push("battery");
  if (c.temperatureC === null || c.supplyV === null) problems.push("sensor");
  return problems.sort((a, b) => PROBLEM_RANK[a] - PROBLEM_RANK[b]);
}

export function worstRank(c: CapsuleRecord): number {
  const [worst] = capsuleProblems(c);
  return worst ? PROBLEM_RANK[worst] : 99;
}

/** The node's own alarm, or a reading outside the range it reports (before its hold-off has passed). */
function temperatureOutOfRange(c: CapsuleRecord): boolean {
  if (c.temperatureAlarm) return true;
  if (c.temperatureC === null || !c.aedRangeC) return false;
  return c.temperatureC < c.aedRangeC.minC || c.temperatureC > c.aedRangeC.maxC;
}

type Tone = "ok" | "warn" | "bad" | "plain";

function fact(name: string, value: TemplateResult | string, tone: Tone, detail: string | TemplateResult | typeof nothing = nothing, key = "") {
  return html`<div class="fact fact-${tone}" data-fact=${key}>
    <dt>${name}</dt>
    <dd><strong>${value}</strong>${detail === nothing ? nothing : html`<span class="muted fact-detail">${detail}</span>`}</dd>
  </div>`;
}

const since = (iso: string | null) => (iso ? t("capsules.since", { when: relativeTime(iso) }) : nothing);

/** The capsule's state as a list of facts, each in words and colour (never colour alone). */
export function capsuleFacts(c: CapsuleRecord) {
  const removed = c.aed === "removed";
  const outOfRange = temperatureOutOfRange(c);
  const rangeWords = c.aedRangeC ? t("capsules.aedRange", { min: c.aedRangeC.minC, max: c.aedRangeC.maxC }) : t("capsules.aedRangeUnknown");
  const door = (open: boolean): MessageKey => (open ? "capsules.doorOpen" : "capsules.doorClosed");
  return html`<dl class="facts">
    ${fact(t("capsules.aed"), t(removed ? "capsules.aedRemoved" : "capsules.aedPresent"), removed ? "bad" : "ok", since(c.aedChangedAt), "aed")}
    ${fact(t("capsules.capsuleDoor"), t(door(c.capsuleDoor === "open")), c.capsuleDoor === "open" ? "warn" : "ok", since(c.capsuleDoorChangedAt), "door")}
    ${fact(t("capsules.aedCabinetDoor"), t(door(c.aedCabinetDoor === "open")), c.aedCabinetDoor === "open" ? "warn" : "ok", nothing, "cabinet")}
    ${fact(
      t("capsules.temperature"),
      c.temperatureC === null ? t("capsules.noReading") : t("capsules.celsius", { value: c.temperatureC.toFixed(1) }),
      c.temperatureC === null ? "warn" : outOfRange ? "bad" : "ok",
      outOfRange ? `${t("capsules.outOfRange")} · ${rangeWords}` : rangeWords,
      "temperature",
    )}
    ${fact(
      t("capsules.supply"),
      c.supplyV === null ? t("capsules.noReading") : t("capsules.volts", { value: c.supplyV.toFixed(1) }),
      c.supplyV === null ? "warn" : c.batteryLow ? "bad" : "ok",
      c.batteryLow ? t("capsules.batteryLow") : nothing,
      "supply",
    )}
    ${fact(
      t("capsules.link"),
      t(c.online ? "capsules.online" : "capsules.offline"),
      c.online ? "ok" : "bad",
      c.online ? nothing : t("capsules.lastSeen", { when: relativeTime(c.lastSeenAt) }),
      "link",
    )}
  </dl>`;
}

/** The capsule's name as staff know it: its place, or its node id before it has one. */
export function capsuleName(c: CapsuleRecord): string {
  return c.placeName ?? t("capsules.unplaced", { id: c.nodeId });
}
