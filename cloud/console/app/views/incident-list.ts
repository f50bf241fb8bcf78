import { html } from "lit";
import { api, type Incident, type PlaceNode } from "../api";
import { SwElement } from "../base";
import { relativeTime, t, tCode } from "../i18n/i18n";
import { hashQuery, href, registerView } from "../router";
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
  static override properties = { incidents: { state: true }, places: { state: true }, failure: { state: true }, loaded: { state: true } };
  incidents: Incident[] = [];
  places: PlaceNode[] = [];
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
      const [list, tree] = await Promise.all([api.incidents({ limit: 200 }), api.placeTree()]);
      this.incidents = list.incidents;
      this.places = tree.places;
      this.failure = null;
    } catch (error) {
      this.failure = error;
    }
    this.loaded = true;
  }

  private upsert(incident: Incident): void {
    this.incidents = [incident, ...this.incidents.filter((i) => i.id !== incident.id)];
    // Counts in the place tree move with the incidents.
    void api.placeTree().then((tree) => (this.places = tree.places), () => {});
  }

  /** Where, by the names of the tree's places on its path (compound › building), for the card. */
  placeName(incident: Incident): string {
    const ids = (incident.placePath ?? "").split("/").filter(Boolean);
    const names = ids.map((id) => this.places.find((p) => p.id === id)).filter((p): p is PlaceNode => !!p && p.level !== "street");
    return names.map((p) => p.name).join(" › ");
  }

  /** The place chosen in the tree (`#/?place=cp-1`), if any. */
  private get placeFilter(): PlaceNode | undefined {
    const id = hashQuery().get("place");
    return id ? this.places.find((p) => p.id === id) : undefined;
  }

  private renderTree(selected: PlaceNode | undefined) {
    const children = (parentId: string | null): PlaceNode[] =>
      this.places.filter((p) => (parentId === null ? !this.places.some((q) => q.id === p.parentId) : p.parentId === parentId));
    const branch = (nodes: PlaceNode[]): unknown =>
      nodes.length
        ? html`<ul class="tree">${nodes.map(
            (p) => html`<li>
              <a class="tree-item ${p.openIncidents ? "has-open" : ""}" href=${href("/", { place: p.id })} aria-current=${selected?.id === p.id ? "true" : "false"} data-place=${p.id}>
                <span class="tree-name">${p.name} <span class="muted">${tCode("level", p.level)}</span></span>
                <span class="tree-counts">${t("places.counts", { open: p.openIncidents, offline: p.offlineNodes })}</span>
              </a>
              ${branch(children(p.id))}
            </li>`,
          )}</ul>`
        : "";
    return html`<nav class="card places" aria-labelledby="places-title">
      <h2 id="places-title">${t("places.title")}</h2>
      <a class="tree-item" href=${href("/")} aria-current=${selected ? "false" : "true"}>${t("places.all")}</a>
      ${branch(children(null))}
    </nav>`;
  }

  protected override render() {
    const selected = this.placeFilter;
    const sorted = [...this.incidents].filter((i) => !selected || (i.placePath ?? "").split("/").includes(selected.id)).sort(byUrgency);
    const open = sorted.filter((i) => OPEN.has(i.status)).length;
    return html`<div class="layout">${this.renderTree(selected)}<section aria-labelledby="incidents-title">
      <div class="row"><h1 id="incidents-title">${t("incidents.title")}</h1><span class="muted">${t("incidents.openCount", { n: open })}</span></div>
      ${selected ? html`<p class="row"><strong>${t("places.filtered", { place: selected.name })}</strong><a class="btn" href=${href("/")}>${t("places.clear")}</a></p>` : ""}
      ${errorMessage(this.failure)}
      ${this.loaded && !sorted.length ? html`<p class="empty">${t("incidents.empty")}</p>` : ""}
      <ul class="list">
        ${sorted.map(
          (incident) => html`<li>
            <a class="card list-item sev-edge-${incident.severity}" href=${href(`/incidents/${incident.id}`)} data-incident=${incident.id}>
              <div class="row">${severityBadge(incident.severity)}<strong>${tCode("hazard", incident.hazard)}</strong>${statusText(incident.status)}</div>
              <div class="place-path">${this.placeName(incident)}</div>
              <div class="row muted"><span>${relativeTime(incident.lastTriggerAt)}</span><span>${t("incidents.triggers", { n: incident.triggerCount })}</span></div>
            </a>
          </li>`,
        )}
      </ul>
    </section></div>`;
  }
}
customElements.define("sw-incident-list", SwIncidentList);
registerView({ pattern: "/", tag: "sw-incident-list", nav: "nav.incidents" });
