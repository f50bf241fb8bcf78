import { html, nothing, svg } from "lit";
import { api, type Incident, type IncidentDetail, type Responder } from "../api";
import { SwElement } from "../base";
import { dateTime, relativeTime, t, tCode } from "../i18n/i18n";
import { href, registerView } from "../router";
import { incidentStream } from "../session";
import { severityBadge, statusText } from "../ui/badges";
import { confirmDialog } from "../ui/confirm";
import { errorMessage } from "../ui/error-message";
import { readingText } from "../ui/reading";

type Action = "ack" | "dispatch" | "resolve" | "recheck-ok" | "recheck-hazard";

/**
 * What the incident's state lets anyone do next; the server refuses the rest anyway
 * (incidents/actions.ts), this keeps them from being offered. A staff member only ever sees
 * incidents inside their places, so whatever is offered here is inside their scope.
 */
export function actionsFor(incident: Incident): Action[] {
  switch (incident.status) {
    case "open":
      return ["ack", "dispatch"];
    case "acknowledged":
      return ["dispatch", "resolve"];
    case "dispatched":
      return ["resolve"];
    case "resolved":
      return incident.recheckDueAt ? ["recheck-ok", "recheck-hazard"] : [];
    default:
      return [];
  }
}

/** One incident: what, where, the evidence, everything that happened, and the next step. */
export class SwIncidentDetail extends SwElement {
  static override properties = { params: { attribute: false }, detail: { state: true }, failure: { state: true }, actionFailure: { state: true }, busy: { state: true } };
  params: Record<string, string> = {};
  detail: IncidentDetail | null = null;
  failure: unknown = null;
  actionFailure: unknown = null;
  busy = false;
  private stops: Array<() => void> = [];

  private get incidentId(): number {
    return Number(this.params.id);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
    this.stops.push(
      incidentStream.on("incident", (data) => {
        if ((data as { incident: Incident }).incident.id === this.incidentId) void this.load();
      }),
      incidentStream.onResync(() => void this.load()),
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const stop of this.stops.splice(0)) stop();
  }

  private async load(): Promise<void> {
    try {
      this.detail = await api.incident(this.incidentId);
      this.failure = null;
    } catch (error) {
      this.failure = error;
    }
  }

  private async act(action: Action): Promise<void> {
    const incident = this.detail!.incident;
    this.actionFailure = null;
    let call: (() => Promise<unknown>) | null = null;
    if (action === "ack") {
      const answer = await confirmDialog({ title: t("dialog.ackTitle"), body: t("dialog.ackBody"), confirmLabel: t("action.ack"), note: { label: t("dialog.note"), required: false } });
      if (answer.confirmed) call = () => api.acknowledge(incident.id, answer.note);
    } else if (action === "dispatch") {
      let people: Responder[];
      try {
        people = (await api.responders(incident.id)).responders;
      } catch (error) {
        this.actionFailure = error;
        return;
      }
      const answer = await confirmDialog({
        title: t("dialog.dispatchTitle"),
        confirmLabel: t("action.dispatch"),
        fields: people.length
          ? html`<fieldset class="people"><legend>${t("dialog.dispatchPeople")}</legend>
              ${people.map(
                (p, i) => html`<label class="check"><input type="checkbox" name="staff" value=${p.id} ?required=${i === 0} @change=${syncRequired} />${p.name} · ${tCode("role", p.role)}</label>`,
              )}</fieldset>`
          : html`<p class="error">${t("dialog.dispatchNobody")}</p>`,
        note: { label: t("dialog.note"), required: false },
      });
      const chosen = answer.form?.getAll("staff").map(Number) ?? [];
      if (answer.confirmed && chosen.length) call = () => api.dispatch(incident.id, chosen, answer.note);
    } else if (action === "resolve") {
      const answer = await confirmDialog({ title: t("dialog.resolveTitle"), confirmLabel: t("action.resolve"), note: { label: t("dialog.resolveNote"), required: true } });
      if (answer.confirmed) call = () => api.resolve(incident.id, answer.note);
    } else {
      const ok = action === "recheck-ok";
      const answer = await confirmDialog({
        title: t(ok ? "dialog.recheckOkTitle" : "dialog.recheckHazardTitle"),
        body: ok ? undefined : t("dialog.recheckHazardBody"),
        confirmLabel: t(ok ? "action.recheckOk" : "action.recheckHazard"),
        note: { label: t(ok ? "dialog.note" : "dialog.recheckHazardNote"), required: !ok },
      });
      if (answer.confirmed) call = () => api.recheck(incident.id, ok ? "ok" : "hazard-present", answer.note);
    }
    if (!call) return;
    this.busy = true;
    try {
      await call();
      await this.load();
    } catch (error) {
      this.actionFailure = error;
    } finally {
      this.busy = false;
    }
  }

  private actor(actor: string): string {
    if (actor === "system") return t("actor.system");
    if (actor === "reporter") return t("actor.reporter");
    const [kind, id] = actor.split(":");
    if (kind === "staff") return this.detail?.people[Number(id)] ?? t("actor.staff");
    return t("actor.admin");
  }

  protected override render() {
    if (this.failure) return html`<p><a class="btn" href=${href("/")}>${t("detail.back")}</a></p>${errorMessage(this.failure)}`;
    if (!this.detail) return html`<p class="empty">${t("app.loading")}</p>`;
    const { incident, places, alarm, reports } = this.detail;
    const actions = actionsFor(incident);
    return html`<article aria-labelledby="incident-title">
      <p><a class="btn btn-quiet" href=${href("/")}>← ${t("detail.back")}</a></p>
      <div class="card sev-edge-${incident.severity}">
        <div class="row">${severityBadge(incident.severity)}${statusText(incident.status)}</div>
        <h1 id="incident-title">${tCode("hazard", incident.hazard)}</h1>
        <p class="place-path" data-place-path>${places.length ? places.map((p) => p.name).join(" › ") : t("detail.noPlace")}</p>
        <p class="muted">${t("detail.opened", { when: relativeTime(incident.openedAt), at: dateTime(incident.openedAt) })}</p>
        <p class="muted">${t("incidents.triggers", { n: incident.triggerCount })} · ${t("detail.lastTrigger", { when: relativeTime(incident.lastTriggerAt) })}</p>
        ${alarm ? html`<p data-latest-reading>${t("detail.latest", { reading: readingText(alarm) })}</p>` : nothing}
      </div>

      <section class="card" aria-labelledby="next-title">
        <h2 id="next-title">${t("detail.next")}</h2>
        ${errorMessage(this.actionFailure)}
        ${actions.length
          ? html`<div class="actions">${actions.map(
              (a, i) => html`<button class="btn ${i === 0 ? "btn-primary" : ""}" data-action=${a} ?disabled=${this.busy} @click=${() => void this.act(a)}>${t(ACTION_LABELS[a])}</button>`,
            )}</div>`
          : html`<p>${t("detail.nothingToDo")}</p>`}
        <p><a class="btn" data-action="cap" href="/api/incidents/${incident.id}/cap" download="incident-${incident.id}.cap.xml">${t("action.cap")}</a></p>
      </section>

      ${alarm?.evidence?.length ? html`<section class="card" aria-labelledby="evidence-title"><h2 id="evidence-title">${t("detail.evidence")}</h2>${trace(alarm.evidence, alarm.threshold)}
            <p class="muted">${t("detail.evidenceCaption", { n: alarm.evidence.length })}</p></section>` : nothing}

      ${reports.length
        ? html`<section class="card" aria-labelledby="reports-title"><h2 id="reports-title">${t("detail.reports")}</h2>
            ${reports.map(
              (r) => html`<div class="report"><p>${r.description}</p><p class="muted">${relativeTime(r.reportedAt)}</p>
                ${r.photoUrl ? html`<img class="photo" src=${r.photoUrl} alt=${t("detail.photoAlt")} loading="lazy" />` : nothing}</div>`,
            )}</section>`
        : nothing}

      <section class="card" aria-labelledby="timeline-title">
        <h2 id="timeline-title">${t("detail.timeline")}</h2>
        <ol class="timeline">${this.timeline().map((item) => html`<li><span class="muted">${dateTime(item.at)}</span> ${item.text}</li>`)}</ol>
      </section>

      <details class="card"><summary>${t("detail.codes")}</summary>
        <p class="codes">${JSON.stringify({ id: incident.id, hazard: incident.hazard, severity: incident.severity, status: incident.status, node: incident.nodeId, place: incident.placePath, summary: incident.summary, alarm }, null, 1)}</p>
      </details>
    </article>`;
  }

  /** Steps and notifications in time order, each in words with who did it. */
  private timeline(): Array<{ at: string; text: string }> {
    const { events, deliveries, people } = this.detail!;
    const items = events.map((e) => {
      const detail = (e.detail ?? {}) as { staff?: number[]; to?: number[]; note?: string; triggers?: number };
      const names = (detail.staff ?? detail.to ?? []).map((id) => people[id] ?? `#${id}`).join("、");
      const text = t("timeline.event", { what: tCode("event", e.type), who: this.actor(e.actor), n: names ? 1 : 0, names });
      return { at: e.at, text: detail.note ? `${text} · ${t("timeline.note", { note: detail.note })}` : text };
    });
    for (const d of deliveries) {
      const to = d.staffId !== null ? (people[d.staffId] ?? `#${d.staffId}`) : d.channel === "chat" ? t("timeline.group") : t("timeline.webhook");
      items.push({ at: d.completedAt ?? d.createdAt, text: t("timeline.delivery", { purpose: tCode("purpose", d.purpose), channel: tCode("channel", d.channel), to, status: tCode("delivery", d.status) }) });
    }
    return items.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  }
}

const ACTION_LABELS = {
  ack: "action.ack",
  dispatch: "action.dispatch",
  resolve: "action.resolve",
  "recheck-ok": "action.recheckOk",
  "recheck-hazard": "action.recheckHazard",
} as const;

/** At least one person must be chosen: the first box is required until any box is ticked. */
function syncRequired(event: Event): void {
  const boxes = [...(event.target as HTMLElement).closest("fieldset")!.querySelectorAll<HTMLInputElement>("input[type=checkbox]")];
  const any = boxes.some((b) => b.checked);
  boxes.forEach((b, i) => (b.required = !any && i === 0));
}

/**
 * The samples the node sent with its alarm, drawn as a line against the alarm threshold. A
 * polyline of a few dozen points needs no chart library (and the page must stay small on a
 * phone on a community LAN).
 */
function trace(samples: number[], threshold: number) {
  const width = 320;
  const height = 120;
  const low = Math.min(...samples, threshold);
  const high = Math.max(...samples, threshold);
  const span = high - low || 1;
  const y = (v: number) => height - 8 - ((v - low) / span) * (height - 16);
  const x = (i: number) => (samples.length === 1 ? width / 2 : (i / (samples.length - 1)) * width);
  const points = samples.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
  return html`<svg class="trace" viewBox="0 0 ${width} ${height}" role="img" aria-label=${t("detail.evidenceAlt", { n: samples.length, threshold })} preserveAspectRatio="none">
    ${svg`<line x1="0" x2=${width} y1=${y(threshold)} y2=${y(threshold)} class="trace-threshold" />
    <polyline points=${points} class="trace-line" />`}
  </svg>`;
}
customElements.define("sw-incident-detail", SwIncidentDetail);
registerView({ pattern: "/incidents/:id", tag: "sw-incident-detail" });
