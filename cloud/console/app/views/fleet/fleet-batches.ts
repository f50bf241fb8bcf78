import { html, nothing } from "lit";
import { SwElement } from "../../base";
import { fleetApi, type BatchRow } from "../../fleet-api";
import { dateTime, t } from "../../i18n/i18n";
import { href, registerView } from "../../router";
import { errorMessage } from "../../ui/error-message";
import { KIND_WORDS } from "./fleet-words";

/**
 * The fleet for the community office: each batch of boards made, how many of its devices have
 * claimed their identity, and until when it admits new ones; installing a device starts here.
 */
export class SwFleetBatches extends SwElement {
  static override properties = { batches: { state: true }, failure: { state: true }, loaded: { state: true } };
  batches: BatchRow[] = [];
  failure: unknown = null;
  loaded = false;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.batches = (await fleetApi.batches()).batches;
      this.failure = null;
    } catch (error) {
      this.failure = error;
    }
    this.loaded = true;
  }

  protected override render() {
    // Newest batch first: the one being installed now.
    const batches = [...this.batches].sort((a, b) => b.createdAt - a.createdAt);
    return html`<section aria-labelledby="fleet-title">
      <h1 id="fleet-title">${t("fleet.title")}</h1>
      <div class="card">
        <p>${t("fleet.installHelp")}</p>
        <div class="actions actions-start"><a class="btn btn-primary" href=${href("/install")} data-action="install">${t("fleet.install")}</a></div>
      </div>
      ${errorMessage(this.failure)}
      ${this.loaded && !this.failure && !batches.length ? html`<p class="empty">${t("fleet.noBatches")}</p>` : nothing}
      ${batches.length ? html`<h2>${t("fleet.batches")}</h2>` : nothing}
      <ul class="list">
        ${batches.map((batch) => {
          // A batch that lists its serials admits those; an older one admits a number.
          const allowed = batch.allowedSerials || batch.maxDevices || 0;
          return html`<li>
            <a class="card list-item" href=${href(`/fleet/batches/${batch.id}`)} data-batch=${batch.id}>
              <div class="row"><strong>${t(KIND_WORDS[batch.kind])}</strong><span class="codes">${batch.id}</span>${batch.expired ? html`<span class="badge sev-warning">${t("fleet.batchClosed")}</span>` : nothing}</div>
              ${batch.note ? html`<p>${batch.note}</p>` : nothing}
              <p class="claim-line" data-claimed=${batch.claimed}>
                <span>${t("fleet.claimed", { claimed: batch.claimed, allowed })}</span>
                <progress max=${Math.max(allowed, 1)} .value=${batch.claimed} aria-label=${t("fleet.claimed", { claimed: batch.claimed, allowed })}></progress>
              </p>
              <p class="muted">${t("fleet.boardLine", { board: batch.board, made: dateTime(new Date(batch.createdAt).toISOString()), until: dateTime(new Date(batch.expiresAt).toISOString()) })}</p>
            </a>
          </li>`;
        })}
      </ul>
    </section>`;
  }
}
customElements.define("sw-fleet-batches", SwFleetBatches);
registerView({ pattern: "/fleet", tag: "sw-fleet-batches", nav: "nav.fleet", adminOnly: true });
