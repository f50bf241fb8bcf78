import { html, nothing } from "lit";
import { SwElement } from "../base";
import "../maintenance.css";
import { relativeTime, t } from "../i18n/i18n";
import { elevatorsApi, type ElevatorRecord } from "../maintenance-api";
import { hashQuery, href, registerView } from "../router";
import { errorMessage } from "../ui/error-message";
import { duration, RELEASED_WORDS, word } from "../ui/maintenance-words";
import { Reload } from "../ui/reload";

const PAGE_SIZE = 100;
/** A hold lasts minutes; the board is asked again this often so "holding now" stays true. */
const REFRESH_MS = 10_000;

/** The lock's state now, in words: holding (for how long) or not. */
export function holdWords(e: ElevatorRecord): string {
  if (e.lock !== "held") return t("elevators.notHolding");
  return e.holdSince ? t("elevators.holdingFor", { time: duration(Date.now() - Date.parse(e.holdSince)) }) : t("elevators.holding");
}

/** The last hold: how long it lasted and how it ended. */
export function lastHoldWords(e: ElevatorRecord): string {
  if (!e.lastReleasedBy) return t("elevators.noHoldYet");
  return t("elevators.lastHold", { time: duration(e.lastHoldMs ?? 0), how: word(RELEASED_WORDS, e.lastReleasedBy) });
}

/** The lock's switches, each in words and in a badge whose class says whether it needs a look. */
export function lockBadges(e: ElevatorRecord) {
  return html`<div class="row lock-badges">
    <span class="badge ${e.enabled ? "good-badge" : "warn-badge"}" data-enabled=${String(e.enabled)}>${t(e.enabled ? "elevators.enabled" : "elevators.disabled")}</span>
    <span class="badge ${e.detector === "ok" ? "good-badge" : "warn-badge"}">${t(e.detector === "ok" ? "elevators.detectorOk" : "elevators.detectorLost")}</span>
    ${e.override ? html`<span class="badge warn-badge">${t("elevators.keyOn")}</span>` : html`<span class="badge quiet-badge">${t("elevators.keyOff")}</span>`}
    ${e.online ? nothing : html`<span class="badge warn-badge">${t("elevators.offline")}</span>`}
  </div>`;
}

/**
 * Every e-bike elevator lock the viewer may see, those needing a look first (a car held now, a
 * lost detector, a disabled lock, an offline node), paged on the server.
 */
export class SwElevatorBoard extends SwElement {
  static override properties = { answer: { state: true }, failure: { state: true } };
  answer: Awaited<ReturnType<typeof elevatorsApi.list>> | null = null;
  failure: unknown = null;
  private page = Math.max(1, Number.parseInt(hashQuery().get("page") ?? "1", 10) || 1);
  private readonly reload = new Reload(this, () => this.load(), REFRESH_MS);

  private async load(): Promise<void> {
    try {
      this.answer = await elevatorsApi.list({ limit: PAGE_SIZE, offset: (this.page - 1) * PAGE_SIZE });
      this.failure = null;
    } catch (error) {
      this.failure = error;
    }
  }

  private renderLock(e: ElevatorRecord) {
    const blocked = e.lastCounts?.blockedAttempts;
    return html`<li>
      <a class="card list-item lock-card ${e.lock === "held" ? "lock-held" : ""}" href=${href(`/elevators/${e.nodeId}`)} data-elevator=${e.nodeId}>
        <div class="row"><strong>${e.placeName ?? t("nodes.noPlace")}</strong><span class="muted node-id">${e.nodeId}</span></div>
        <div class="lock-state ${e.lock}" data-lock=${e.lock}>${holdWords(e)}</div>
        ${lockBadges(e)}
        <div class="muted">${lastHoldWords(e)}</div>
        <div class="muted">${blocked === undefined ? t("elevators.noCounts") : t("elevators.blockedLastDay", { n: blocked })} · ${t("nodes.lastHeard", { when: relativeTime(e.lastSeenAt) })}</div>
      </a>
    </li>`;
  }

  protected override render() {
    const answer = this.answer;
    const pages = answer ? Math.max(1, Math.ceil(answer.total / PAGE_SIZE)) : 1;
    const held = answer?.elevators.filter((e) => e.lock === "held").length ?? 0;
    return html`<section aria-labelledby="elevators-title">
      <div class="row"><h1 id="elevators-title">${t("elevators.title")}</h1>
        ${answer ? html`<span class="muted">${t("elevators.count", { n: answer.total })}</span>` : nothing}
        ${held ? html`<strong class="lock-state held">${t("elevators.heldNow", { n: held })}</strong>` : nothing}</div>
      <p class="muted">${t("elevators.intro")}</p>
      ${errorMessage(this.failure)}
      ${answer ? (answer.elevators.length ? nothing : html`<p class="empty">${t("elevators.empty")}</p>`) : html`<p class="empty">${t("app.loading")}</p>`}
      <ul class="list lock-grid">${answer?.elevators.map((e) => this.renderLock(e))}</ul>
      ${pages > 1
        ? html`<nav class="pager" aria-label=${t("nodes.pages")}>
            ${this.page > 1 ? html`<a class="btn" href=${href("/elevators", { page: String(this.page - 1) })}>${t("nodes.previous")}</a>` : nothing}
            <span>${t("nodes.page", { page: this.page, pages })}</span>
            ${this.page < pages ? html`<a class="btn" href=${href("/elevators", { page: String(this.page + 1) })}>${t("nodes.next")}</a>` : nothing}
          </nav>`
        : nothing}
    </section>`;
  }
}
customElements.define("sw-elevator-board", SwElevatorBoard);
registerView({ pattern: "/elevators", tag: "sw-elevator-board", nav: "nav.elevators" });
