import { html, nothing } from "lit";
import { SwElement } from "../base";
import "../maintenance.css";
import { dateTime, relativeTime, t } from "../i18n/i18n";
import { elevatorsApi, type ElevatorRecord, type EventRecord } from "../maintenance-api";
import { href, registerView } from "../router";
import { errorMessage } from "../ui/error-message";
import { duration, ELEVATOR_EVENT_WORDS, RELEASED_WORDS, word } from "../ui/maintenance-words";
import "../ui/node-commands";
import type { OfferedOp } from "../ui/node-commands";
import { holdWords, lastHoldWords, lockBadges } from "./elevator-board";
import { Reload } from "../ui/reload";

const REFRESH_MS = 10_000;
/** Enable or disable, whichever the lock is not, and the self-test; constant arrays so a redraw does not redraw the buttons. */
const DISABLE_OFFER: OfferedOp[] = ["disable", "self-test"];
const ENABLE_OFFER: OfferedOp[] = ["enable", "self-test"];

/** What one event adds to its name: how long a hold lasted and how it ended, why a fault happened. */
function eventDetail(e: EventRecord): string {
  const parts: string[] = [];
  if (e.durationMs !== null) parts.push(t("elevators.heldFor", { time: duration(e.durationMs) }));
  if (e.releasedBy) parts.push(word(RELEASED_WORDS, e.releasedBy));
  if (e.name === "daily-counts" && e.data) parts.push(t("elevators.blockedLastDay", { n: Number(e.data.blockedAttempts ?? 0) }));
  if (e.cause) parts.push(e.cause);
  return parts.join(" · ");
}

/** One elevator lock: its state, enable / disable / self-test (each asked first), its daily counts and its history. */
export class SwElevatorDetail extends SwElement {
  static override properties = { params: { attribute: false }, elevator: { state: true }, events: { state: true }, failure: { state: true } };
  params: Record<string, string> = {};
  elevator: ElevatorRecord | null = null;
  events: EventRecord[] = [];
  failure: unknown = null;
  private readonly reload = new Reload(this, () => this.load(), REFRESH_MS);

  private get nodeId(): string {
    return this.params.id;
  }

  private async load(): Promise<void> {
    try {
      const [{ elevator }, { events }] = await Promise.all([elevatorsApi.elevator(this.nodeId), elevatorsApi.events(this.nodeId)]);
      this.elevator = elevator;
      this.events = events;
      this.failure = null;
    } catch (error) {
      this.failure = error;
    }
  }

  private renderCounts() {
    const reports = this.events.filter((e) => e.name === "daily-counts" && e.data);
    if (!reports.length) return html`<p class="muted">${t("elevators.noCounts")}</p>`;
    const n = (e: EventRecord, key: string) => Number(e.data?.[key] ?? 0);
    return html`<div class="table-wrap" tabindex="0" role="region" aria-labelledby="counts-title"><table class="counts" data-daily-counts>
      <caption class="muted">${t("elevators.countsCaption")}</caption>
      <thead><tr>
        <th scope="col">${t("elevators.col.reported")}</th><th scope="col">${t("elevators.col.blocked")}</th>
        <th scope="col">${t("elevators.col.cleared")}</th><th scope="col">${t("elevators.col.maxHold")}</th>
        <th scope="col">${t("elevators.col.override")}</th><th scope="col">${t("elevators.col.holdTime")}</th>
      </tr></thead>
      <tbody>${reports.map(
        (e) => html`<tr>
          <th scope="row">${dateTime(e.receivedAt)}</th><td>${n(e, "blockedAttempts")}</td><td>${n(e, "released.clear")}</td>
          <td>${n(e, "released.maxHold")}</td><td>${n(e, "released.override")}</td><td>${duration(n(e, "holdMsTotal"))}</td>
        </tr>`,
      )}</tbody>
    </table></div>`;
  }

  protected override render() {
    const back = html`<p><a class="btn btn-quiet" href=${href("/elevators")}>← ${t("elevators.back")}</a></p>`;
    if (this.failure && !this.elevator) return html`${back}${errorMessage(this.failure)}`;
    const e = this.elevator;
    if (!e) return html`${back}<p class="empty">${t("app.loading")}</p>`;
    return html`<article aria-labelledby="elevator-title">
      ${back}
      <div class="card lock-card ${e.lock === "held" ? "lock-held" : ""}">
        <h1 id="elevator-title">${e.placeName ?? t("nodes.noPlace")}</h1>
        <p class="muted node-id">${e.nodeId}</p>
        <p class="lock-state ${e.lock}" data-lock=${e.lock}>${holdWords(e)}</p>
        ${lockBadges(e)}
        <p>${lastHoldWords(e)}</p>
        <p class="muted">${t("nodes.lastHeard", { when: relativeTime(e.lastSeenAt) })}</p>
        <p><a class="btn" href=${href(`/nodes/${e.nodeId}`)}>${t("elevators.toNode")}</a></p>
      </div>
      ${errorMessage(this.failure)}
      <sw-node-commands .nodeId=${e.nodeId} .offer=${e.enabled ? DISABLE_OFFER : ENABLE_OFFER} @command-settled=${() => void this.load()}></sw-node-commands>
      <section class="card" aria-labelledby="counts-title"><h2 id="counts-title">${t("elevators.countsTitle")}</h2>${this.renderCounts()}</section>
      <section class="card" aria-labelledby="history-title">
        <h2 id="history-title">${t("elevators.historyTitle")}</h2>
        ${this.events.length
          ? html`<ol class="timeline" data-history>${this.events.map(
              (ev) => html`<li><span class="muted">${dateTime(ev.receivedAt)}</span> <strong>${word(ELEVATOR_EVENT_WORDS, ev.name)}</strong>${eventDetail(ev) ? html` · ${eventDetail(ev)}` : nothing}</li>`,
            )}</ol>`
          : html`<p class="muted">${t("elevators.noHistory")}</p>`}
      </section>
    </article>`;
  }
}

customElements.define("sw-elevator-detail", SwElevatorDetail);
registerView({ pattern: "/elevators/:id", tag: "sw-elevator-detail" });
