import { html, nothing } from "lit";
import { SwElement } from "../../base";
import { capsulesApi, type CapsuleRecord, type SupplyRecord } from "../../capsules-api";
import { dateTime, t, type MessageKey } from "../../i18n/i18n";
import { href, registerView } from "../../router";
import { errorMessage } from "../../ui/error-message";
import { capsuleName } from "./capsule-facts";
import { CATEGORIES, CATEGORY_WORDS, expiryBadge, expiryOf, localToday } from "./supply-words";

/** The checks of the capsule itself a keeper makes on each round, before the supplies. */
const STATION_CHECKS: MessageKey[] = [
  "checklist.station.doors",
  "checklist.station.aedLight",
  "checklist.station.aedPads",
  "checklist.station.temperature",
  "checklist.station.display",
  "checklist.station.clean",
];

/**
 * The keeper's round on paper: the capsule's own checks and every supply by category, with
 * boxes to tick, what to write, and a line to sign. Printed from the browser; the print
 * stylesheet (styles.css, @media print) leaves out the console's bars and buttons.
 */
export class SwCapsuleChecklist extends SwElement {
  static override properties = { params: { attribute: false }, capsule: { state: true }, supplies: { state: true }, failure: { state: true } };
  params: Record<string, string> = {};
  capsule: CapsuleRecord | null = null;
  supplies: SupplyRecord[] = [];
  failure: unknown = null;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      const [capsule, supplies] = await Promise.all([capsulesApi.get(this.params.nodeId), capsulesApi.supplies(this.params.nodeId)]);
      this.capsule = capsule.capsule;
      this.supplies = supplies.supplies;
      this.failure = null;
    } catch (error) {
      this.failure = error;
    }
  }

  protected override render() {
    const back = html`<p class="no-print"><a class="btn btn-quiet" href=${href(`/capsules/${this.params.nodeId}`)}>← ${t("checklist.back")}</a></p>`;
    if (this.failure) return html`${back}${errorMessage(this.failure)}`;
    if (!this.capsule) return html`<p class="empty">${t("app.loading")}</p>`;
    const today = localToday();
    const box = html`<span class="tick-box" aria-hidden="true"></span>`;
    return html`<article class="checklist" aria-labelledby="checklist-title">
      ${back}
      <h1 id="checklist-title">${t("checklist.title", { place: capsuleName(this.capsule) })}</h1>
      <p class="muted">${t("checklist.printed", { when: dateTime(new Date().toISOString()), id: this.capsule.nodeId })}</p>
      <div class="actions no-print"><button class="btn btn-primary" type="button" data-action="print" @click=${() => window.print()}>${t("checklist.print")}</button></div>
      <p class="sign-line">${t("checklist.checkedBy")}<span class="blank"></span>${t("checklist.date")}<span class="blank"></span></p>

      <h2>${t("checklist.stationTitle")}</h2>
      <ul class="list checklist-station">
        ${STATION_CHECKS.map((key) => html`<li>${box}<span>${t(key)}</span></li>`)}
      </ul>

      ${CATEGORIES.map((category) => {
        const items = this.supplies.filter((s) => s.category === category);
        return html`<section class="checklist-group" aria-labelledby="check-${category}">
          <h2 id="check-${category}">${t(CATEGORY_WORDS[category])}</h2>
          ${items.length
            ? html`<div class="table-wrap"><table class="checklist-table">
                <thead><tr>
                  <th scope="col">${t("checklist.col.item")}</th>
                  <th scope="col" class="num">${t("checklist.col.quantity")}</th>
                  <th scope="col">${t("checklist.col.expires")}</th>
                  <th scope="col" class="tick">${t("checklist.col.present")}</th>
                  <th scope="col" class="tick">${t("checklist.col.good")}</th>
                </tr></thead>
                <tbody>
                  ${items.map(
                    (s) => html`<tr data-supply=${s.id}>
                      <td>${s.item}${s.note ? html`<br /><span class="muted">${s.note}</span>` : nothing}</td>
                      <td class="num">${s.quantity}</td>
                      <td><span class="date">${s.expiresOn ?? t("checklist.noExpiry")}</span> ${expiryBadge(expiryOf(s.expiresOn, today))}</td>
                      <td class="tick">${box}</td>
                      <td class="tick">${box}</td>
                    </tr>`,
                  )}
                </tbody>
              </table></div>`
            : html`<p class="muted">${t("supplies.noneInCategory")}</p>`}
        </section>`;
      })}
      <h2>${t("checklist.notes")}</h2>
      <div class="notes-box"></div>
    </article>`;
  }
}
customElements.define("sw-capsule-checklist", SwCapsuleChecklist);
registerView({ pattern: "/capsules/:nodeId/checklist", tag: "sw-capsule-checklist" });
