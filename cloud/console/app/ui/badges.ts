import { html } from "lit";
import { tCode } from "../i18n/i18n";

/** Severity in colour and in words (never colour alone: WCAG 1.4.1). */
export function severityBadge(severity: string) {
  return html`<span class="badge sev-${severity}">${tCode("severity", severity)}</span>`;
}

export function statusText(status: string) {
  return html`<span class="status status-${status}">${tCode("status", status)}</span>`;
}
