import type { IncidentView } from "../incidents/view";
import { HAZARD_LABELS } from "../incidents/hazards";
import type { AlertFields } from "./providers/channel";

/** Why a person hears of an incident. */
export type NotifyPurpose = "notify" | "escalate" | "reopen" | "dispatch" | "recheck-due";

/**
 * What the staff app receives on `sw/v1/staff/<staffId>/notify` and the console on its stream.
 * `deliveryId` lets the app's receipt be matched to the stored delivery.
 */
export interface StaffNotification {
  v: 1;
  type: "incident-notification";
  deliveryId: number;
  purpose: NotifyPurpose;
  tier: number;
  incident: IncidentView;
}

/** Lifecycle events sent to webhooks and shown on the console's stream. */
export type IncidentChange =
  | "opened"
  | "reopened"
  | "escalated"
  | "acknowledged"
  | "dispatched"
  | "resolved"
  | "rechecked"
  | "source-cleared"
  | "updated";

const LEADS: Record<NotifyPurpose, string> = {
  notify: "告警 Alert",
  escalate: "升级 Escalated",
  reopen: "复发 Reopened",
  dispatch: "派单 Dispatched to you",
  "recheck-due": "复查到期 Re-check due",
};

/** One short line for SMS and text-to-speech: hazard, where, what to do. */
export function shortText(incident: IncidentView, purpose: NotifyPurpose): string {
  const label = HAZARD_LABELS[incident.hazard];
  const lead = LEADS[purpose];
  return `[守望] ${lead}: ${label.zh} ${label.en} · ${incident.summary} · #${incident.id}`.slice(0, 280);
}

const LEADS_ZH: Record<NotifyPurpose, string> = { notify: "告警", escalate: "升级", reopen: "复发", dispatch: "派单", "recheck-due": "复查到期" };
const CJK = /[\u3400-\u9fff]/;

/**
 * The alarm as a template's variables (SMS and voice carry only approved templates). The place
 * is the incident's place chain in Chinese, each name's Chinese part ("和平社区 Heping Community"
 * → 和平社区), so an SMS reads 和平社区3号院1号楼 rather than half an English name.
 */
export function alertFields(incident: IncidentView, purpose: NotifyPurpose): AlertFields {
  // The summary leads with where (incidents/desk.ts summarize): "和平社区 Heping Community / 3号院 … · reading".
  const where = incident.summary.split(" · ")[0] ?? "";
  const place = where
    .split(" / ")
    .map((name) => {
      const first = name.trim().split(/\s+/)[0] ?? "";
      return CJK.test(first) ? first : name.trim();
    })
    .join(CJK.test(where) ? "" : " ");
  return { lead: LEADS_ZH[purpose], hazard: HAZARD_LABELS[incident.hazard].zh, place: place.slice(0, 20) || "未分配位置", incident: String(incident.id) };
}
