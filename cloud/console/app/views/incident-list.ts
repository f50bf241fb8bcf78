import { html } from "lit";
import { api, type Incident } from "../api";
import { SwElement } from "../base";
import { relativeTime, t, tCode } from "../i18n/i18n";
import { href, registerView } from "../router";
import { incidentStream } from "../session";
import { severityBadge, statusText } from "../ui/badges";
import { errorMessage } from "../ui/error-message";

const OPEN = new Set(["open", "acknowledged", "dispatched"]);
const SEVERITY_RANK: Record<string, number> = { urgent: 0, alarm: 1, warning: 2, info: 3 };

/** Open incidents first (most severe, then newest), then closed ones, newest first. */
export function byUrgency(a: Incident, b: Incident): number {
  const openA = OPEN.has(a.status) ? 0 : 1;
  const openB = OPEN.has(b.status) ? 0 : 1;
  if (openA !== openB) return openA - openB;
  if (openA === 0) {
    const severity = (SEVERITY_RANK[a.severity] ?? 9) - (SEVERITY_RANK[b.severity] ?? 9);
    if (severity) return severity;
  }
  return Date.parse(b.lastTriggerAt) - Date.parse(a.lastTriggerAt);
}

/** The incidents the signed-in person may see, kept live by the stream. */
export class SwIncidentList extends SwElement {
  static override properties = { incidents: { state: true }, failure: { state: true }, loaded: { state: true } };
  incidents: Incident[] = [];
  failure: unknown = null;
  loaded = false;
  private stops: Array<() => void> = [];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
    this.stops.push(
      incidentStream.on("incident", (data) => this.upsert((data as { incident: Incident }).incident)),
      incidentStream.onResync(() => void this.load()),
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const stop of this.stops.splice(0)) stop();
  }

  private async load(): Promise<void> {
    try {
      this.incidents = (await api.incidents({ limit: 200 })).incidents;
      this.failure = null;
    } catch (error) {
      this.failure = error;
    }
    this.loaded = true;
  }

  private upsert(incident: Incident): void {
    this.incidents = [incident, ...this.incidents.filter((i) => i.id !== incident.id)];
  }

  protected override render() {
    const sorted = [...this.incidents].sort(byUrgency);
    const open = sorted.filter((i) => OPEN.has(i.status)).length;
    return html`<section aria-labelledby="incidents-title">
      <div class="row"><h1 id="incidents-title">${t("incidents.title")}</h1><span class="muted">${t("incidents.openCount", { n: open })}</span></div>
      ${errorMessage(this.failure)}
      ${this.loaded && !sorted.length ? html`<p class="empty">${t("incidents.empty")}</p>` : ""}
      <ul class="list">
        ${sorted.map(
          (incident) => html`<li>
            <a class="card list-item sev-edge-${incident.severity}" href=${href(`/incidents/${incident.id}`)} data-incident=${incident.id}>
              <div class="row">${severityBadge(incident.severity)}<strong>${tCode("hazard", incident.hazard)}</strong>${statusText(incident.status)}</div>
              <div class="row muted"><span>${relativeTime(incident.lastTriggerAt)}</span><span>${t("incidents.triggers", { n: incident.triggerCount })}</span></div>
            </a>
          </li>`,
        )}
      </ul>
    </section>`;
  }
}
customElements.define("sw-incident-list", SwIncidentList);
registerView({ pattern: "/", tag: "sw-incident-list", nav: "nav.incidents" });
