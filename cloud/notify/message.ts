import type { IncidentView } from "../incidents/view";
import { HAZARD_LABELS } from "../incidents/hazards";

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
