import { html, nothing } from "lit";
import { api, type PlaceRow } from "../../api";
import { SwElement } from "../../base";
import { capsulesApi, type CapsuleRecord, type ExpiringSupply } from "../../capsules-api";
import { t } from "../../i18n/i18n";
import { hashQuery, href, navigate, registerView } from "../../router";
import { incidentStream } from "../../session";
import { errorMessage } from "../../ui/error-message";
import { placeSelect } from "../../ui/place-select";
import { capsuleFacts, capsuleName, worstRank } from "./capsule-facts";
import { expiryOf, localToday } from "./supply-words";
import { Reload } from "../../ui/reload";

/** Capsules report on change; between changes the page looks again this often for "offline". */
export const CAPSULE_POLL_MS = 30_000;

/**
 * Every capsule the viewer keeps, the ones needing attention first (AED out, offline, a door
 * open, the cabinet too hot or cold, a low battery), each with what expires in it this month.
 */
export class SwCapsuleList extends SwElement {
  static override properties = { capsules: { state: true }, expiring: { state: true }, places: { state: true }, failure: { state: true }, loaded: { state: true } };
  capsules: CapsuleRecord[] = [];
  expiring: ExpiringSupply[] = [];
  places: PlaceRow[] = [];
  failure: unknown = null;
  loaded = false;
  private stops: Array<() => void> = [];
  private readonly reload = new Reload(this, () => this.load(), CAPSULE_POLL_MS);

  override connectedCallback(): void {
    super.connectedCallback();
    // An AED taken out or a door left open opens an incident: the stream says when to look again.
    this.stops.push(
      incidentStream.on("incident", () => void this.load()),
      incidentStream.onResync(() => void this.load()),
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const stop of this.stops.splice(0)) stop();
  }

  private get place(): string {
    return hashQuery().get("place") ?? "";
  }

  private async load(): Promise<void> {
    try {
      const place = this.place || undefined;
      const [list, expiring, places] = await Promise.all([capsulesApi.list(place), capsulesApi.expiringThisMonth(place), this.places.length ? null : api.places()]);
      this.capsules = list.capsules;
      this.expiring = expiring.supplies;
      if (places) this.places = places.places;
      this.failure = null;
    } catch (error) {
      this.failure = error;
    }
    this.loaded = true;
  }

  protected override render() {
    const today = localToday();
    const sorted = [...this.capsules].sort((a, b) => worstRank(a) - worstRank(b) || capsuleName(a).localeCompare(capsuleName(b)));
    const expired = this.expiring.filter((s) => expiryOf(s.expiresOn, today).state === "expired").length;
    return html`<section aria-labelledby="capsules-title">
      <div class="row"><h1 id="capsules-title">${t("capsules.title")}</h1><span class="muted">${t("capsules.count", { n: this.capsules.length })}</span></div>
      <div class="card filters">
        ${placeSelect({
          id: "capsules-place",
          label: t("capsules.placeFilter"),
          allLabel: t("places.all"),
          places: this.places,
          levels: ["street", "community", "compound"],
          selected: this.place,
          // A new hash makes a new view, which loads for that place.
          onPick: (place) => navigate("/capsules", { place }),
        })}
      </div>
      <a class="card list-item expiring-link ${this.expiring.length ? "sev-edge-warning" : ""}" href=${href("/supplies/expiring", { place: this.place || undefined })} data-expiring-summary>
        <strong>${t("supplies.thisMonthTitle")}</strong>
        <span>${this.expiring.length ? t("supplies.thisMonthCount", { n: this.expiring.length, expired }) : t("supplies.thisMonthNone")}</span>
      </a>
      ${errorMessage(this.failure)}
      ${this.loaded && !sorted.length ? html`<p class="empty">${t("capsules.empty")}</p>` : nothing}
      <ul class="list capsule-grid">
        ${sorted.map((c) => {
          const due = this.expiring.filter((s) => s.capsuleId === c.nodeId);
          return html`<li>
            <a class="card list-item ${c.aed === "removed" || !c.online ? "sev-edge-alarm" : worstRank(c) < 99 ? "sev-edge-warning" : ""}" href=${href(`/capsules/${c.nodeId}`)} data-capsule=${c.nodeId}>
              <h2>${capsuleName(c)}</h2>
              ${capsuleFacts(c)}
              ${due.length ? html`<p class="supply-due">${t("supplies.dueHere", { n: due.length })}</p>` : nothing}
            </a>
          </li>`;
        })}
      </ul>
    </section>`;
  }
}
customElements.define("sw-capsule-list", SwCapsuleList);
registerView({ pattern: "/capsules", tag: "sw-capsule-list", nav: "nav.capsules" });
