import { html, nothing } from "lit";
import { api, type PlaceRow } from "../../api";
import { SwElement } from "../../base";
import { fleetApi, type DeviceRow } from "../../fleet-api";
import { dateTime, t } from "../../i18n/i18n";
import { href, registerView } from "../../router";
import { errorMessage } from "../../ui/error-message";
import { placeTrail } from "../../ui/place-select";
import { KIND_WORDS, stateBadge, STATE_WORDS } from "./fleet-words";

/** Rows drawn at once; a batch may list thousands of serials, and a phone need not draw them all. */
const PAGE_ROWS = 100;

/**
 * One batch's devices: pending (made, never online), claimed, online, released or revoked, and
 * where each is installed. A device online but not placed yet offers its installation.
 */
export class SwFleetBatch extends SwElement {
  static override properties = {
    params: { attribute: false },
    devices: { state: true },
    places: { state: true },
    failure: { state: true },
    state: { state: true },
    search: { state: true },
    shown: { state: true },
  };
  params: Record<string, string> = {};
  devices: DeviceRow[] | null = null;
  places: PlaceRow[] = [];
  failure: unknown = null;
  state = "";
  search = "";
  shown = PAGE_ROWS;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      const [devices, places] = await Promise.all([fleetApi.batchDevices(this.params.batch), api.places()]);
      this.devices = devices.devices;
      this.places = places.places;
      this.failure = null;
    } catch (error) {
      this.failure = error;
    }
  }

  private placeName(device: DeviceRow): string | null {
    const place = device.placeId ? this.places.find((p) => p.id === device.placeId) : undefined;
    return place ? placeTrail(place, this.places, 4) : device.placeId;
  }

  protected override render() {
    const back = html`<p><a class="btn btn-quiet" href=${href("/fleet")}>← ${t("fleet.back")}</a></p>`;
    if (this.failure) return html`${back}${errorMessage(this.failure)}`;
    if (!this.devices) return html`${back}<p class="empty">${t("app.loading")}</p>`;
    const needle = this.search.trim().replace(/[:-]/g, "").toLowerCase();
    const matching = this.devices.filter((d) => (!this.state || d.state === this.state) && (!needle || d.serial.includes(needle) || (d.nodeId ?? "").includes(needle)));
    const counts = new Map<string, number>();
    for (const d of this.devices) counts.set(d.state, (counts.get(d.state) ?? 0) + 1);
    return html`<section aria-labelledby="batch-title">
      ${back}
      <h1 id="batch-title">${t("fleet.batchTitle", { batch: this.params.batch })}</h1>
      <p class="row">${(Object.keys(STATE_WORDS) as Array<DeviceRow["state"]>).filter((s) => counts.get(s)).map((s) => html`<span>${stateBadge(s)} ${counts.get(s)}</span>`)}</p>
      <div class="card filters filter-row">
        <div>
          <label for="batch-state">${t("fleet.stateFilter")}</label>
          <select id="batch-state" @change=${(e: Event) => ((this.state = (e.target as HTMLSelectElement).value), (this.shown = PAGE_ROWS))}>
            <option value="">${t("fleet.allStates")}</option>
            ${(Object.keys(STATE_WORDS) as Array<DeviceRow["state"]>).map((s) => html`<option value=${s} ?selected=${this.state === s}>${t(STATE_WORDS[s].key)}</option>`)}
          </select>
        </div>
        <div>
          <label for="batch-search">${t("fleet.search")}</label>
          <input id="batch-search" type="search" autocomplete="off" .value=${this.search} @input=${(e: Event) => ((this.search = (e.target as HTMLInputElement).value), (this.shown = PAGE_ROWS))} />
        </div>
      </div>
      ${matching.length ? nothing : html`<p class="empty">${t("fleet.noDevices")}</p>`}
      <ul class="list">
        ${matching.slice(0, this.shown).map((d) => {
          const place = this.placeName(d);
          const installable = (d.state === "online" || d.state === "claimed") && !d.placeId;
          return html`<li class="card device-row" data-device=${d.serial}>
            <div class="device-main">
              <div class="row"><strong class="codes">${d.serial}</strong>${stateBadge(d.state)}<span class="muted">${t(KIND_WORDS[d.kind])}</span></div>
              <p data-place>${place ? t("fleet.placedAt", { place }) : t("fleet.notPlaced")}</p>
              ${d.claimedAt ? html`<p class="muted">${t("fleet.claimedAt", { when: dateTime(new Date(d.claimedAt).toISOString()) })}</p>` : nothing}
            </div>
            ${installable || d.state === "pending"
              ? html`<a class="btn ${installable ? "btn-primary" : ""}" href=${href(`/install/${d.serial}`)} aria-label=${t(installable ? "fleet.installNamed" : "fleet.connectNamed", { serial: d.serial })}>${t(installable ? "fleet.installOne" : "fleet.connectOne")}</a>`
              : nothing}
          </li>`;
        })}
      </ul>
      ${matching.length > this.shown
        ? html`<div class="actions"><button class="btn" type="button" @click=${() => (this.shown += PAGE_ROWS)}>${t("fleet.more", { n: matching.length - this.shown })}</button></div>`
        : nothing}
    </section>`;
  }
}
customElements.define("sw-fleet-batch", SwFleetBatch);
registerView({ pattern: "/fleet/batches/:batch", tag: "sw-fleet-batch", adminOnly: true });
