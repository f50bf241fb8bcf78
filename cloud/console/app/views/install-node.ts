import { html, nothing } from "lit";
import { api, ApiError, type DeviceRow, type PlaceRow } from "../api";
import { SwElement } from "../base";
import { INSTALL_LEVELS } from "../../../fleet/install-levels";
import { t, type MessageKey } from "../i18n/i18n";
import { hasWebBluetooth, NodeOverBluetooth, type JoinFailure } from "../installer/improv-ble";
import { href, registerView } from "../router";
import { errorMessage } from "../ui/error-message";
import "../ui/qr-scanner";

type Step = "label" | "wifi" | "joining" | "registering" | "place" | "done";

/** What a node's label says: `SW1:<SERIAL>:<KIND>:<CHECK>` (cloud/fleet/labels.ts), or a bare serial. */
export function readLabel(text: string): { serial: string; kind: string | null } | null {
  const label = /^SW1:([0-9A-F]{12}):([A-Z]+):[0-9A-F]{4}$/i.exec(text.trim());
  if (label) return { serial: label[1].toLowerCase(), kind: label[2].toLowerCase() };
  const serial = text.trim().replace(/[:-]/g, "").toLowerCase();
  return /^[0-9a-f]{12}$/.test(serial) ? { serial, kind: null } : null;
}

const FAILURE_WORDS: Record<JoinFailure, MessageKey> = {
  "wrong-password": "install.failure.wrongPassword",
  "no-network": "install.failure.noNetwork",
  timeout: "install.failure.timeout",
  busy: "install.failure.busy",
  "bad-ssid": "install.failure.badSsid",
  "bad-password": "install.failure.badPassword",
  unknown: "install.failure.unknown",
};
const STEP_WORDS = { label: "install.step.label", wifi: "install.step.wifi", registering: "install.step.registering", place: "install.step.place" } as const;
const STATE_WORDS: Record<string, MessageKey> = {
  pending: "install.state.pending",
  claimed: "install.state.claimed",
  online: "install.state.online",
  released: "install.state.released",
  revoked: "install.state.revoked",
};
const POLL_MS = 2000;

/** Every place the viewer may install into; the place tree (down to buildings) where the full list is not served. */
async function installablePlaces(): Promise<PlaceRow[]> {
  try {
    return (await api.places()).places;
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
    return (await api.placeTree()).places;
  }
}

/**
 * The installer's one screen, on the phone at the node: the label (scanned with the camera or
 * typed), the site's Wi-Fi sent to the node over Bluetooth (Improv), the node seen coming online,
 * its place chosen. A device already registered (flashed with the site's Wi-Fi, or moved) skips
 * straight to its place. Where the browser has no Web Bluetooth (iPhone, WeChat) it says how to
 * use the node's own access point instead. Opened from the node's setup and from the fleet's
 * batch list too: `#/install/<serial>`.
 */
export class SwInstallNode extends SwElement {
  static override properties = {
    params: { attribute: false },
    step: { state: true },
    label: { state: true },
    node: { state: true },
    device: { state: true },
    places: { state: true },
    failure: { state: true },
    joinFailure: { state: true },
    busy: { state: true },
    scanning: { state: true },
  };
  params: Record<string, string> = {};
  step: Step = "label";
  label: { serial: string; kind: string | null } | null = null;
  node: NodeOverBluetooth | null = null;
  device: DeviceRow | null = null;
  places: PlaceRow[] = [];
  failure: unknown = null;
  joinFailure: JoinFailure | null = null;
  busy = false;
  scanning = false;
  private poll?: ReturnType<typeof setTimeout>;
  private allNames = new Map<string, string>();

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.params.serial) void this.takeLabel(this.params.serial);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.poll);
    this.node?.close();
  }

  /**
   * Reads the label, then asks the fleet about the device: registered already (online, or
   * registered and off for now) goes straight to its place; never registered, or released for a
   * new start, needs the site's Wi-Fi first; revoked cannot be installed.
   */
  private async takeLabel(text: string): Promise<void> {
    this.scanning = false;
    const label = readLabel(text);
    this.failure = label ? null : new Error(t("install.labelUnreadable"));
    if (!label) return;
    this.busy = true;
    try {
      // The full label goes to the server, which checks its check digits.
      this.device = (await api.device(text.trim())).device;
    } catch (error) {
      this.device = null;
      if (!(error instanceof ApiError && error.status === 404)) {
        this.failure = error;
        this.busy = false;
        return;
      }
    }
    this.busy = false;
    this.label = { serial: label.serial, kind: label.kind ?? this.device?.kind ?? null };
    if (this.device?.state === "revoked") {
      this.failure = new Error(t("install.revoked"));
      return;
    }
    if (this.device?.state === "online" || this.device?.state === "claimed") await this.choosePlace(this.device);
    else this.step = "wifi";
  }

  /** The places this kind of node may go (INSTALL_LEVELS, as the server checks), named by their path. */
  private async choosePlace(device: DeviceRow): Promise<void> {
    try {
      const all = await installablePlaces();
      this.allNames = new Map(all.map((p) => [p.id, p.name]));
      this.places = all.filter((p) => (INSTALL_LEVELS[device.kind] as readonly string[]).includes(p.level));
      this.step = "place";
    } catch (error) {
      this.failure = error;
    }
  }

  /** The node's Bluetooth name, as its firmware advertises it (main.ts): known when the label names the kind. */
  private bluetoothName(): string | null {
    return this.label?.kind ? `SW-${this.label.kind}-${this.label.serial.slice(-6)}` : null;
  }

  private async connect(): Promise<void> {
    this.busy = true;
    this.failure = null;
    try {
      this.node = await NodeOverBluetooth.connect(this.bluetoothName());
    } catch (error) {
      this.failure = error;
    }
    this.busy = false;
  }

  private async sendWifi(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    this.step = "joining";
    this.joinFailure = null;
    const outcome = await this.node!.provision(String(form.get("ssid") ?? ""), String(form.get("password") ?? ""));
    if (!outcome.ok) {
      this.joinFailure = outcome.reason;
      this.step = "wifi";
      return;
    }
    this.step = "registering";
    this.watchOnline();
  }

  /** After Wi-Fi the node claims its identity and connects: the fleet shows it online. */
  private watchOnline(): void {
    const check = async () => {
      try {
        this.device = (await api.device(this.label!.serial)).device;
      } catch {
        this.device = null;
      }
      if (this.device?.state === "online") {
        await this.choosePlace(this.device);
        return;
      }
      this.poll = setTimeout(check, POLL_MS);
    };
    void check();
  }

  private async install(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const placeId = String(new FormData(event.target as HTMLFormElement).get("place") ?? "");
    this.busy = true;
    try {
      this.device = (await api.install(this.label!.serial, placeId)).device;
      this.step = "done";
      this.failure = null;
    } catch (error) {
      this.failure = error;
    }
    this.busy = false;
  }

  protected override render() {
    return html`<section class="card install">
      <h1>${t("install.title")}</h1>
      <ol class="steps-line" aria-label=${t("install.progress")}>
        ${(["label", "wifi", "registering", "place"] as const).map(
          (step, i) => html`<li class=${this.stepIndex() > i ? "done" : this.stepIndex() === i ? "current" : ""}>${t(STEP_WORDS[step])}</li>`,
        )}
      </ol>
      ${this.renderStep()} ${errorMessage(this.failure)}
    </section>`;
  }

  private stepIndex(): number {
    return { label: 0, wifi: 1, joining: 1, registering: 2, place: 3, done: 4 }[this.step];
  }

  private renderStep() {
    switch (this.step) {
      case "label":
        return html`<form
          @submit=${(e: SubmitEvent) => {
            e.preventDefault();
            void this.takeLabel(String(new FormData(e.target as HTMLFormElement).get("label") ?? ""));
          }}
        >
          <p>${t("install.labelHelp")}</p>
          ${this.scanning
            ? html`<sw-qr-scanner @scanned=${(e: CustomEvent<string>) => void this.takeLabel(e.detail)} @cancel=${() => (this.scanning = false)}></sw-qr-scanner>`
            : html`<div class="actions"><button class="btn" type="button" data-action="scan" @click=${() => (this.scanning = true)}>${t("install.scan")}</button></div>`}
          <label for="install-label">${t("install.labelField")}</label>
          <input id="install-label" name="label" autocomplete="off" autocapitalize="characters" required />
          <div class="actions"><button class="btn btn-primary" type="submit" ?disabled=${this.busy}>${t("install.next")}</button></div>
        </form>`;
      case "wifi":
      case "joining":
        return this.renderWifi();
      case "registering":
        return html`<p role="status">${t("install.registering")}</p>
          ${this.device ? html`<p class="muted">${t("install.deviceState", { name: STATE_WORDS[this.device.state] ? t(STATE_WORDS[this.device.state]) : this.device.state })}</p>` : nothing}`;
      case "place":
        return html`<p class=${this.device?.state === "online" ? "good" : ""}>${t(this.device?.state === "online" ? "install.online" : "install.registeredOffline")}</p>
          ${this.device?.placeId ? html`<p data-current-place>${t("install.nowAt", { name: this.allNames.get(this.device.placeId) ?? this.device.placeId })}</p>` : nothing}
          ${this.label && this.device?.state === "claimed"
            ? html`<div class="actions"><button class="btn" type="button" data-action="rewifi" @click=${() => (this.step = "wifi")}>${t("install.newWifi")}</button></div>`
            : nothing}
          <form @submit=${(e: SubmitEvent) => void this.install(e)}>
            <label for="install-place">${t("install.placeField")}</label>
            <select id="install-place" name="place" required>
              ${this.places.map((p) => html`<option value=${p.id}>${this.placeLabel(p)}</option>`)}
            </select>
            <div class="actions"><button class="btn btn-primary" type="submit" ?disabled=${this.busy}>${t("install.finish")}</button></div>
          </form>`;
      case "done":
        return html`<p class="good" role="status">${t("install.done", { name: this.placeName() })}</p>
          <div class="actions">
            <a class="btn" href="#/install" @click=${() => this.reset()}>${t("install.another")}</a>
            ${this.device ? html`<a class="btn" href=${href(`/fleet/batches/${this.device.batch}`)} data-action="batch">${t("install.seeBatch")}</a>` : nothing}
          </div>`;
    }
  }

  private renderWifi() {
    const name = this.bluetoothName() ?? `SW-…-${this.label!.serial.slice(-6)}`;
    if (!hasWebBluetooth()) {
      return html`<div class="banner" role="note">
        <p>${t("install.noBluetooth")}</p>
        <ol>
          <li>${t("install.softap.join", { name })}</li>
          <li>${t("install.softap.open")}</li>
          <li>${t("install.softap.back")}</li>
        </ol>
        <div class="actions"><button class="btn" type="button" @click=${() => ((this.step = "registering"), this.watchOnline())}>${t("install.softap.done")}</button></div>
      </div>`;
    }
    if (!this.node) {
      return html`<p>${t("install.connectHelp", { name })}</p>
        <div class="actions"><button class="btn btn-primary" type="button" ?disabled=${this.busy} @click=${() => void this.connect()}>${t("install.connect")}</button></div>`;
    }
    const joining = this.step === "joining";
    return html`<p>${t("install.connected", { name: this.node.name })}</p>
      ${this.joinFailure ? html`<div class="error" role="alert"><p>${t(FAILURE_WORDS[this.joinFailure])}</p></div>` : nothing}
      <form @submit=${(e: SubmitEvent) => void this.sendWifi(e)}>
        <label for="install-ssid">${t("install.ssid")}</label>
        <input id="install-ssid" name="ssid" required maxlength="32" autocomplete="off" ?disabled=${joining} />
        <label for="install-password">${t("install.password")}</label>
        <input id="install-password" name="password" type="password" maxlength="64" autocomplete="off" ?disabled=${joining} />
        <div class="actions"><button class="btn btn-primary" type="submit" ?disabled=${joining}>${joining ? t("install.joining") : t("install.sendWifi")}</button></div>
      </form>`;
  }

  /** A place with the two levels above it ("No. 3 Compound · Building 2 · Floor 5"), as people find it. */
  private placeLabel(place: PlaceRow): string {
    const names = new Map(this.places.map((p) => [p.id, p.name]));
    const ids = place.path.split("/").filter(Boolean).slice(-3);
    return ids.map((id) => names.get(id) ?? this.allNames.get(id) ?? id).join(" · ");
  }

  private placeName(): string {
    const place = this.places.find((p) => p.id === this.device?.placeId);
    return place ? this.placeLabel(place) : "";
  }

  private reset(): void {
    this.node?.close();
    Object.assign(this, { step: "label", label: null, node: null, device: null, failure: null, joinFailure: null, scanning: false });
  }
}
customElements.define("sw-install-node", SwInstallNode);
registerView({ pattern: "/install", tag: "sw-install-node", nav: "nav.install", adminOnly: true });
registerView({ pattern: "/install/:serial", tag: "sw-install-node", adminOnly: true });
