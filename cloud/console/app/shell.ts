import { html, nothing } from "lit";
import { ApiError, api } from "./api";
import { SwElement } from "./base";
import { locale, setLocale, t, tCode, type MessageKey } from "./i18n/i18n";
import type { Incident } from "./api";
import { alertNewIncident, alertNotification, alertsEnabled, enableAlerts } from "./ui/alerts";
import type { LiveState } from "./live";
import { matchHash, navigate, navRoutes, type Match } from "./router";
import { incidentStream, isAdmin, session } from "./session";
import { errorMessage } from "./ui/error-message";

const LIVE_LABELS: Record<LiveState, MessageKey> = { connecting: "live.connecting", live: "live.live", reconnecting: "live.reconnecting" };

/**
 * The console's frame: top bar (name, live state, language, sign out), navigation, and the
 * current view. Before anything else it asks /api/me who is signed in; without a session it
 * shows the sign-in view.
 */
export class SwApp extends SwElement {
  static override properties = { match: { state: true }, live: { state: true }, phase: { state: true }, failure: { state: true }, alerting: { state: true }, lastAlert: { state: true } };
  alerting = alertsEnabled();
  /** The latest new-incident alert, also read out by screen readers (role=alert). */
  lastAlert = "";
  match: Match = matchHash(location.hash);
  live: LiveState = incidentStream.state;
  phase: "loading" | "signed-out" | "signed-in" = "loading";
  failure: unknown = null;
  private readonly onHash = () => {
    this.match = matchHash(location.hash);
    if (this.phase !== "signed-in" && !this.match.route.public) void this.loadSession();
  };

  protected override createRenderRoot(): HTMLElement {
    // The page's "loading" line is replaced by the app.
    this.replaceChildren();
    return super.createRenderRoot();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    document.documentElement.lang = locale();
    window.addEventListener("hashchange", this.onHash);
    incidentStream.onState((state) => (this.live = state));
    incidentStream.on("incident", (data) => {
      const { event, incident } = data as { event: string; incident: Incident };
      if (event !== "opened" && event !== "reopened") return;
      this.lastAlert = t("alerts.new", { hazard: tCode("hazard", incident.hazard), place: incident.summary.split(" · ")[1] ?? "" });
      alertNewIncident(incident, this.lastAlert, () => navigate(`/incidents/${incident.id}`));
    });
    incidentStream.on("notification", (data) => {
      const { purpose, incident } = data as { purpose: string; incident: Incident };
      const text = t("alerts.notification", { purpose: tCode("purpose", purpose), hazard: tCode("hazard", incident.hazard), place: incident.summary.split(" · ")[0] ?? "" });
      if (purpose !== "notify" && purpose !== "reopen") this.lastAlert = text;
      alertNotification(incident, purpose, text, () => navigate(`/incidents/${incident.id}`));
    });
    if (!this.match.route.public) void this.loadSession();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener("hashchange", this.onHash);
  }

  /** Asks who is signed in; called at start and after signing in. */
  async loadSession(): Promise<void> {
    try {
      session.owner = (await api.me()).owner;
      this.phase = "signed-in";
      this.failure = null;
      incidentStream.start();
    } catch (error) {
      session.owner = null;
      this.phase = "signed-out";
      // 401 simply means "not signed in yet"; anything else is worth saying.
      this.failure = error instanceof ApiError && error.status === 401 ? null : error;
    }
  }

  private async signOut(): Promise<void> {
    try {
      await api.signOut();
    } finally {
      incidentStream.stop();
      session.owner = null;
      this.phase = "signed-out";
      location.hash = "#/";
    }
  }

  private view: { match: Match; element: HTMLElement } | null = null;

  /** The current view's element, made once per navigation (a redraw of the frame keeps it and its state). */
  private renderView() {
    if (this.view?.match !== this.match) {
      const element = document.createElement(this.match.route.tag) as HTMLElement & { params?: Record<string, string> };
      element.params = this.match.params;
      this.view = { match: this.match, element };
    }
    return this.view.element;
  }

  protected override render() {
    const { route } = this.match;
    const languageButton = html`<button class="btn" lang=${locale() === "zh-CN" ? "en" : "zh-CN"}
      @click=${() => setLocale(locale() === "zh-CN" ? "en" : "zh-CN")}>${t("lang.switch")}</button>`;
    if (route.public) {
      return html`<header class="topbar"><span class="title">${t("app.title")}</span>${languageButton}</header><main>${this.renderView()}</main>`;
    }
    if (this.phase === "loading") return html`<p class="boot">${t("app.loading")}</p>`;
    if (this.phase === "signed-out") {
      return html`<header class="topbar"><span class="title">${t("app.title")}</span>${languageButton}</header>
        <main><div class="card"><h1>${t("signin.title")}</h1><p>${t("signin.ask")}</p>${errorMessage(this.failure)}</div></main>`;
    }
    return html`<header class="topbar">
        <a class="title" href="#/">${t("app.title")}</a>
        <span class="live ${this.live}" role="status" data-live=${this.live}>${t(LIVE_LABELS[this.live])}</span>
        ${languageButton}
        <button class="btn" @click=${() => void this.signOut()}>${t("nav.signOut")}</button>
      </header>
      ${this.alerting
        ? nothing
        : html`<div class="banner"><button class="btn btn-primary" data-enable-alerts @click=${async () => {
            await enableAlerts();
            this.alerting = true;
          }}>${t("alerts.enable")}</button></div>`}
      <div class="alert-line" role="alert" data-last-alert>${this.lastAlert}</div>
      ${this.live === "reconnecting" ? html`<div class="banner" role="alert">${t("live.reconnectingBanner")}</div>` : nothing}
      <nav class="nav" aria-label=${t("app.title")}>
        ${navRoutes()
          .filter((r) => !r.adminOnly || isAdmin())
          .map((r) => html`<a href="#${r.pattern}" aria-current=${r === route ? "page" : "false"}>${t(r.nav!)}</a>`)}
        <span class="muted" style="margin-left:auto;align-self:center;padding:0 8px">${session.owner?.name ?? ""}</span>
      </nav>
      <main>${this.renderView()}</main>`;
  }
}
customElements.define("sw-app", SwApp);
