import { html, nothing } from "lit";
import { request } from "../api";
import { SwElement } from "../base";
import { dateTime, t, tCode, type MessageKey } from "../i18n/i18n";
import { href, registerView } from "../router";
import { errorMessage } from "../ui/error-message";

interface Gap {
  id: number;
  incidentId: number;
  hazard: string;
  step: number;
  reason: "nobody-on-duty" | "nobody-reachable" | "every-delivery-failed";
  detail: { people?: Array<{ staffId: number; name: string; unreachable: Record<string, string> }>; robots?: number };
  at: string;
}

const REASONS: Record<Gap["reason"], MessageKey> = {
  "nobody-on-duty": "gaps.reason.nobodyOnDuty",
  "nobody-reachable": "gaps.reason.nobodyReachable",
  "every-delivery-failed": "gaps.reason.everyDeliveryFailed",
};

/** The server's reasons (notify/notifier.ts Unreachable) in the admin's words. */
const WHY: Record<string, MessageKey> = {
  "no phone": "gaps.why.noPhone",
  "no SMS provider": "gaps.why.noSmsProvider",
  "no voice provider": "gaps.why.noVoiceProvider",
  "console not open": "gaps.why.consoleClosed",
  "no browser subscribed": "gaps.why.noBrowser",
};

/**
 * Rounds that reached nobody (admins only): each was escalated at once, and stays here until
 * someone mends what was missing (a roster, a phone, a group robot) and marks it so.
 */
export class SwRoutingGaps extends SwElement {
  static override properties = { gaps: { state: true }, failure: { state: true }, loaded: { state: true } };
  gaps: Gap[] = [];
  failure: unknown = null;
  loaded = false;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.gaps = (await request<{ gaps: Gap[] }>("GET", "/api/routing-gaps")).gaps;
      this.failure = null;
    } catch (error) {
      this.failure = error;
    }
    this.loaded = true;
  }

  private async mend(gap: Gap): Promise<void> {
    try {
      await request("POST", `/api/routing-gaps/${gap.id}/close`);
      await this.load();
    } catch (error) {
      this.failure = error;
    }
  }

  private person(p: { name: string; unreachable: Record<string, string> }) {
    const reasons = [...new Set(Object.values(p.unreachable))].map((why) => (WHY[why] ? t(WHY[why]) : why)).join(t("gaps.separator"));
    return html`<li>${t("gaps.person", { name: p.name, reasons })}</li>`;
  }

  protected override render() {
    return html`<section aria-labelledby="gaps-title">
      <h1 id="gaps-title">${t("gaps.title")}</h1>
      <p class="muted">${t("gaps.intro")}</p>
      ${errorMessage(this.failure)}
      ${this.loaded && !this.failure && !this.gaps.length ? html`<p class="empty">${t("gaps.empty")}</p>` : nothing}
      <ul class="list">
        ${this.gaps.map(
          (gap) => html`<li class="card" data-gap=${gap.id}>
            <div class="row"><h2>${t("gaps.item", { hazard: tCode("hazard", gap.hazard), incident: gap.incidentId, step: gap.step + 1 })}</h2><span class="muted">${dateTime(gap.at)}</span></div>
            <p>${t(REASONS[gap.reason])}</p>
            ${gap.detail.people?.length ? html`<ul>${gap.detail.people.map((p) => this.person(p))}</ul>` : nothing}
            <div class="actions actions-start">
              <a class="btn" href=${href(`/incidents/${gap.incidentId}`)}>${t("gaps.open")}</a>
              <button class="btn btn-primary" type="button" data-action="mend" @click=${() => void this.mend(gap)}>${t("gaps.mend")}</button>
            </div>
          </li>`,
        )}
      </ul>
    </section>`;
  }
}
customElements.define("sw-routing-gaps", SwRoutingGaps);
registerView({ pattern: "/routing-gaps", tag: "sw-routing-gaps", nav: "nav.gaps", adminOnly: true });
