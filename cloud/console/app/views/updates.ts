import { html, nothing } from "lit";
import { SwElement } from "../base";
import "../maintenance.css";
import { dateTime, locale, relativeTime, t } from "../i18n/i18n";
import { updatesApi, type CampaignNode, type CampaignSummary, type OtaImage } from "../maintenance-api";
import { hashQuery, href, registerView } from "../router";
import { confirmDialog } from "../ui/confirm";
import { errorMessage } from "../ui/error-message";
import { CAMPAIGN_STATUS_WORDS, MEMBER_STATE_WORDS, NODE_KIND_WORDS, word } from "../ui/maintenance-words";
import { Reload } from "../ui/reload";

/** A rollout moves as nodes report; its page is asked again this often. */
const REFRESH_MS = 10_000;
/** Per-node rows drawn at most; the state filter narrows a big campaign to what matters. */
const MAX_NODE_ROWS = 200;

function size(bytes: number): string {
  const format = new Intl.NumberFormat(locale(), { maximumFractionDigits: 1 });
  return bytes >= 1024 * 1024 ? t("nodes.unit.mib", { n: format.format(bytes / 1024 / 1024) }) : t("nodes.unit.kib", { n: format.format(bytes / 1024) });
}

function percent(fraction: number): string {
  return new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: 1 }).format(fraction);
}

/** Where a campaign stands: its stage of how many, and how far the nodes got. */
function progress(c: CampaignSummary) {
  const done = c.counts.healthy;
  const failed = c.counts.failed + c.counts["rolled-back"];
  return html`<p>${t("updates.stage", { stage: c.stageIndex + 1, stages: c.stages.length, percent: c.stages[c.stageIndex] ?? 100 })}</p>
    <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax=${c.nodes} aria-valuenow=${done} aria-label=${t("updates.healthyOf", { done, total: c.nodes })}>
      <span class="progress-done" style="width:${c.nodes ? (100 * done) / c.nodes : 0}%"></span><span class="progress-failed" style="width:${c.nodes ? (100 * failed) / c.nodes : 0}%"></span>
    </div>
    <p class="muted">${t("updates.healthyOf", { done, total: c.nodes })} · ${t("updates.failedCount", { n: failed })} · ${t("updates.failureRate", { rate: percent(c.failureRate), limit: percent(c.failureThreshold) })}</p>`;
}

/**
 * Why the campaign is where it is, in words: the engine records who paused, resumed or stopped
 * it (`paused by Office`) or that it paused itself; anything else is shown as recorded.
 */
function reasonWords(c: CampaignSummary): string | null {
  const reason = c.statusReason;
  if (!reason || c.status === "completed") return null;
  const by = /^(paused|resumed|aborted) by (.+)$/.exec(reason);
  if (by) return t(by[1] === "paused" ? "updates.reason.paused" : by[1] === "resumed" ? "updates.reason.resumed" : "updates.reason.aborted", { who: by[2] });
  if (reason.startsWith("paused itself")) return t("updates.reason.selfPaused", { limit: percent(c.failureThreshold) });
  return t("updates.why", { reason });
}

function statusBadge(c: CampaignSummary) {
  return html`<span class="badge campaign-${c.status}" data-campaign-status=${c.status}>${word(CAMPAIGN_STATUS_WORDS, c.status)}</span>`;
}

/** Firmware updates (admins): the signed images the cloud holds, and the staged campaigns rolling them out. */
export class SwUpdates extends SwElement {
  static override properties = { images: { state: true }, campaigns: { state: true }, failure: { state: true } };
  images: OtaImage[] | null = null;
  campaigns: CampaignSummary[] | null = null;
  failure: unknown = null;
  private readonly reload = new Reload(this, () => this.load(), REFRESH_MS);

  private async load(): Promise<void> {
    try {
      const [images, campaigns] = await Promise.all([updatesApi.images(), updatesApi.campaigns()]);
      // Newest first: the image a rollout is likely to want is on top.
      this.images = [...images.images].sort((a, b) => b.uploadedAt - a.uploadedAt || b.version.localeCompare(a.version, "en", { numeric: true }));
      this.campaigns = campaigns.campaigns;
      this.failure = null;
    } catch (error) {
      this.failure = error;
    }
  }

  protected override render() {
    return html`<section aria-labelledby="updates-title">
      <h1 id="updates-title">${t("updates.title")}</h1>
      ${errorMessage(this.failure)}
      <section aria-labelledby="campaigns-title">
        <h2 id="campaigns-title">${t("updates.campaignsTitle")}</h2>
        ${this.campaigns === null
          ? this.failure ? nothing : html`<p class="empty">${t("app.loading")}</p>`
          : this.campaigns.length
            ? html`<ul class="list">${this.campaigns.map(
                (c) => html`<li><a class="card list-item" href=${href(`/updates/${c.id}`)} data-campaign=${c.id}>
                  <div class="row"><strong>${t("updates.campaignOf", { version: c.image.version, kind: word(NODE_KIND_WORDS, c.image.kind) })}</strong>${statusBadge(c)}</div>
                  ${progress(c)}
                  <p class="muted">${t("updates.started", { when: relativeTime(c.createdAt) })} · <span class="node-id">${c.id}</span></p>
                </a></li>`,
              )}</ul>`
            : html`<p class="empty">${t("updates.noCampaigns")}</p>`}
      </section>
      <section aria-labelledby="images-title">
        <h2 id="images-title">${t("updates.imagesTitle")}</h2>
        <p class="muted">${t("updates.imagesIntro")}</p>
        ${this.images === null
          ? nothing
          : this.images.length
            ? html`<ul class="list">${this.images.map(
                (image) => html`<li class="card" data-image=${image.sha256}>
                  <div class="row"><strong>${t("updates.version", { version: image.version })}</strong><span>${word(NODE_KIND_WORDS, image.kind)}</span><span class="muted">${image.board}</span></div>
                  <dl class="node-facts">
                    <div><dt>${t("updates.size")}</dt><dd>${size(image.sizeBytes)}</dd></div>
                    <div><dt>${t("updates.key")}</dt><dd class="node-id">${image.keyId}</dd></div>
                    <div><dt>${t("updates.fingerprint")}</dt><dd class="node-id">${image.sha256.slice(0, 16)}</dd></div>
                    <div><dt>${t("updates.uploaded")}</dt><dd>${dateTime(new Date(image.uploadedAt).toISOString())} · ${image.uploadedBy}</dd></div>
                  </dl>
                </li>`,
              )}</ul>`
            : html`<p class="empty">${t("updates.noImages")}</p>`}
      </section>
    </section>`;
  }
}

/** One campaign: its stages, every node's state, and pause, resume or abort, each asked first. */
export class SwCampaign extends SwElement {
  static override properties = { params: { attribute: false }, campaign: { state: true }, nodes: { state: true }, failure: { state: true }, actionFailure: { state: true }, busy: { state: true } };
  params: Record<string, string> = {};
  campaign: CampaignSummary | null = null;
  nodes: CampaignNode[] = [];
  failure: unknown = null;
  actionFailure: unknown = null;
  busy = false;
  private state = hashQuery().get("state") ?? "";
  private readonly reload = new Reload(this, () => this.load(), REFRESH_MS);

  private async load(): Promise<void> {
    try {
      const state = this.state && this.state in MEMBER_STATE_WORDS ? this.state : undefined;
      const [{ campaign }, { nodes }] = await Promise.all([updatesApi.campaign(this.params.id), updatesApi.campaignNodes(this.params.id, state)]);
      this.campaign = campaign;
      this.nodes = nodes;
      this.failure = null;
    } catch (error) {
      this.failure = error;
    }
  }

  private async act(action: "pause" | "resume" | "abort"): Promise<void> {
    const words = ACTIONS[action];
    const answer = await confirmDialog({ title: t(words.title), body: t(words.body), confirmLabel: t(words.label) });
    if (!answer.confirmed) return;
    this.busy = true;
    this.actionFailure = null;
    try {
      this.campaign = (await updatesApi.act(this.params.id, action)).campaign;
      await this.load();
    } catch (error) {
      this.actionFailure = error;
    } finally {
      this.busy = false;
    }
  }

  protected override render() {
    const back = html`<p><a class="btn btn-quiet" href=${href("/updates")}>← ${t("updates.back")}</a></p>`;
    if (this.failure && !this.campaign) return html`${back}${errorMessage(this.failure)}`;
    const c = this.campaign;
    if (!c) return html`${back}<p class="empty">${t("app.loading")}</p>`;
    const actions = (c.status === "running" ? ["pause", "abort"] : c.status === "paused" ? ["resume", "abort"] : []) as Array<keyof typeof ACTIONS>;
    return html`<article aria-labelledby="campaign-title">
      ${back}
      <div class="card">
        <div class="row"><h1 id="campaign-title">${t("updates.campaignOf", { version: c.image.version, kind: word(NODE_KIND_WORDS, c.image.kind) })}</h1>${statusBadge(c)}</div>
        <p class="muted"><span class="node-id">${c.id}</span> · ${t("updates.started", { when: relativeTime(c.createdAt) })}</p>
        ${reasonWords(c) ? html`<p data-campaign-reason>${reasonWords(c)}</p>` : nothing}
        ${progress(c)}
        ${errorMessage(this.actionFailure)}
        ${actions.length
          ? html`<div class="actions">${actions.map(
              (a) => html`<button class="btn ${a === "abort" ? "" : "btn-primary"}" data-campaign-action=${a} ?disabled=${this.busy} @click=${() => void this.act(a)}>${t(ACTIONS[a].label)}</button>`,
            )}</div>`
          : nothing}
      </div>
      <section class="card" aria-labelledby="stages-title">
        <h2 id="stages-title">${t("updates.stagesTitle")}</h2>
        <ol class="stages">${c.stages.map((pct, i) => {
          const log = c.stageLog.find((entry) => entry.stage === i);
          const state = i < c.stageIndex || (log?.endedAt ?? null) !== null ? "done" : i === c.stageIndex ? "current" : "later";
          return html`<li class="stage-${state}">
            <strong>${t("updates.stageName", { stage: i + 1, percent: pct })}</strong>
            ${log
              ? html`<span class="muted">${t("updates.stageLog", { nodes: log.nodes, healthy: log.healthy, failed: log.failed, skipped: log.skipped })}</span>`
              : html`<span class="muted">${t("updates.stageNotStarted")}</span>`}
          </li>`;
        })}</ol>
      </section>
      <section class="card" aria-labelledby="members-title">
        <h2 id="members-title">${t("updates.nodesTitle")}</h2>
        <nav class="chips" aria-label=${t("updates.filterLabel")}>
          <a class="chip" href=${href(`/updates/${c.id}`)} aria-current=${this.state ? "false" : "true"}>${t("updates.allStates", { n: c.nodes })}</a>
          ${Object.entries(c.counts)
            .filter(([state, n]) => n > 0 || state === this.state)
            .map(([state, n]) => html`<a class="chip" href=${href(`/updates/${c.id}`, { state })} aria-current=${this.state === state ? "true" : "false"} data-member-state=${state}>${word(MEMBER_STATE_WORDS, state)} <span class="chip-count">${n}</span></a>`)}
        </nav>
        ${this.nodes.length ? nothing : html`<p class="muted">${t("updates.noNodesInState")}</p>`}
        <ul class="list member-list">${this.nodes.slice(0, MAX_NODE_ROWS).map(
          (m) => html`<li class="member" data-member=${m.nodeId}>
            <div class="row"><a class="node-id" href=${href(`/nodes/${m.nodeId}`)}>${m.nodeId}</a><strong class="member-${m.state}">${word(MEMBER_STATE_WORDS, m.state)}</strong>
              ${m.state === "downloading" ? html`<span>${t("updates.downloaded", { n: m.progress })}</span>` : nothing}</div>
            <div class="muted">${t("updates.memberStage", { stage: m.stage })} · ${t("updates.offers", { n: m.offers })} · ${relativeTime(m.updatedAt)}${m.reason ? ` · ${m.reason}` : ""}</div>
          </li>`,
        )}</ul>
        ${this.nodes.length > MAX_NODE_ROWS ? html`<p class="muted">${t("updates.moreNodes", { shown: MAX_NODE_ROWS, total: this.nodes.length })}</p>` : nothing}
      </section>
    </article>`;
  }
}

const ACTIONS = {
  pause: { label: "updates.pause", title: "updates.confirm.pauseTitle", body: "updates.confirm.pauseBody" },
  resume: { label: "updates.resume", title: "updates.confirm.resumeTitle", body: "updates.confirm.resumeBody" },
  abort: { label: "updates.abort", title: "updates.confirm.abortTitle", body: "updates.confirm.abortBody" },
} as const;

customElements.define("sw-updates", SwUpdates);
customElements.define("sw-campaign", SwCampaign);
registerView({ pattern: "/updates", tag: "sw-updates", nav: "nav.updates", adminOnly: true });
registerView({ pattern: "/updates/:id", tag: "sw-campaign", adminOnly: true });
