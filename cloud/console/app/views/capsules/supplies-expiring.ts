import { html, nothing } from "lit";
import { api, type PlaceRow } from "../../api";
import { SwElement } from "../../base";
import { capsulesApi, type ExpiringSupply } from "../../capsules-api";
import { t } from "../../i18n/i18n";
import { hashQuery, href, navigate, registerView } from "../../router";
import { errorMessage } from "../../ui/error-message";
import { placeSelect } from "../../ui/place-select";
import { CATEGORY_WORDS, expiryBadge, expiryOf, expiryText, localToday } from "./supply-words";

/**
 * What must be replaced this month across the community (or any place the viewer picks): every
 * supply expired or expiring by the month's end, by capsule, soonest first: the keeper's
 * shopping list.
 */
export class SwSuppliesExpiring extends SwElement {
  static override properties = { supplies: { state: true }, places: { state: true }, failure: { state: true }, loaded: { state: true } };
  supplies: ExpiringSupply[] = [];
  places: PlaceRow[] = [];
  failure: unknown = null;
  loaded = false;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private get place(): string {
    return hashQuery().get("place") ?? "";
  }

  private async load(): Promise<void> {
    try {
      const [expiring, places] = await Promise.all([capsulesApi.expiringThisMonth(this.place || undefined), api.places()]);
      this.supplies = expiring.supplies;
      this.places = places.places;
      this.failure = null;
    } catch (error) {
      this.failure = error;
    }
    this.loaded = true;
  }

  protected override render() {
    const today = localToday();
    const capsules = [...new Set(this.supplies.map((s) => s.capsuleId))];
    const expired = this.supplies.filter((s) => expiryOf(s.expiresOn, today).state === "expired").length;
    return html`<section aria-labelledby="expiring-title">
      <p><a class="btn btn-quiet" href=${href("/capsules", { place: this.place || undefined })}>← ${t("capsules.back")}</a></p>
      <h1 id="expiring-title">${t("supplies.thisMonthTitle")}</h1>
      <div class="card filters">
        ${placeSelect({
          id: "expiring-place",
          label: t("capsules.placeFilter"),
          allLabel: t("places.all"),
          places: this.places,
          levels: ["street", "community", "compound"],
          selected: this.place,
          onPick: (place) => navigate("/supplies/expiring", { place }),
        })}
      </div>
      ${errorMessage(this.failure)}
      ${this.loaded && !this.failure
        ? html`<p data-expiring-total>${this.supplies.length ? t("supplies.thisMonthCount", { n: this.supplies.length, expired }) : t("supplies.thisMonthNone")}</p>`
        : nothing}
      ${capsules.map((capsuleId) => {
        const items = this.supplies.filter((s) => s.capsuleId === capsuleId);
        const name = items[0].placeName ?? t("capsules.unplaced", { id: capsuleId });
        return html`<section class="card" aria-labelledby="due-${capsuleId}" data-capsule=${capsuleId}>
          <div class="row"><h2 id="due-${capsuleId}">${name}</h2><a class="btn" href=${href(`/capsules/${capsuleId}`)}>${t("supplies.openCapsule")}</a></div>
          <ul class="list supply-list">
            ${items.map(
              (s) => html`<li class="supply" data-supply=${s.id}>
                <div class="supply-main">
                  <span class="supply-name">${s.item}</span>
                  <span class="row"><span>${t(CATEGORY_WORDS[s.category])}</span><span>${t("supplies.quantity", { n: s.quantity })}</span><span class="muted">${expiryText(s.expiresOn)}</span>${expiryBadge(expiryOf(s.expiresOn, today))}</span>
                </div>
              </li>`,
            )}
          </ul>
        </section>`;
      })}
    </section>`;
  }
}
customElements.define("sw-supplies-expiring", SwSuppliesExpiring);
registerView({ pattern: "/supplies/expiring", tag: "sw-supplies-expiring" });
