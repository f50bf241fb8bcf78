import { html, nothing } from "lit";
import { api, type PlaceRow } from "../api";
import { SwElement } from "../base";
import "../maintenance.css";
import { relativeTime, t } from "../i18n/i18n";
import { nodesApi, type NodeProblem, type NodeQuery, type NodeRecord } from "../maintenance-api";
import { hashQuery, href, navigate, registerView } from "../router";
import { errorMessage } from "../ui/error-message";
import { kib, NODE_KIND_WORDS, PROBLEM_WORDS, statusWords, word } from "../ui/maintenance-words";
import { Reload } from "../ui/reload";

const PAGE_SIZE = 50;
const PROBLEMS: readonly NodeProblem[] = ["offline", "fault", "lowHeap", "backlog", "weakRssi"];
const KINDS = ["smoke", "sensor", "elevator", "capsule"];
/** The list is asked again this often: nodes come and go without a stream of their own. */
const REFRESH_MS = 30_000;

/** The list's filters, kept in the address (`#/nodes?problems=offline&kind=smoke&page=2`) so a reload or a shared link keeps them. */
export function nodeQueryFromHash(query: URLSearchParams): NodeQuery & { page: number } {
  const problems = (query.get("problems") ?? "").split(",").filter((p): p is NodeProblem => (PROBLEMS as readonly string[]).includes(p));
  const status = query.get("status");
  const page = Math.max(1, Number.parseInt(query.get("page") ?? "1", 10) || 1);
  return {
    problems,
    kind: query.get("kind") || undefined,
    status: status === "online" || status === "offline" ? status : undefined,
    firmware: query.get("firmware") || undefined,
    place: query.get("place") || undefined,
    q: query.get("q") || undefined,
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
    page,
  };
}

function toHash(query: NodeQuery & { page: number }): Record<string, string | undefined> {
  return {
    problems: query.problems?.join(",") || undefined,
    kind: query.kind,
    status: query.status,
    firmware: query.firmware,
    place: query.place,
    q: query.q,
    page: query.page > 1 ? String(query.page) : undefined,
  };
}

/**
 * Every node the viewer may see, worst first (offline, faulty sensor, low memory, a message
 * backlog, weak Wi-Fi), a page at a time: the server filters and pages, so 10,000 nodes cost
 * the phone 50 rows.
 */
export class SwNodeList extends SwElement {
  static override properties = { answer: { state: true }, places: { state: true }, failure: { state: true } };
  answer: Awaited<ReturnType<typeof nodesApi.list>> | null = null;
  places: PlaceRow[] = [];
  failure: unknown = null;
  private query = nodeQueryFromHash(hashQuery());
  // A change of filter or page changes the address, and the shell makes a new list for it.
  private readonly reload = new Reload(this, () => this.load(), REFRESH_MS);

  override connectedCallback(): void {
    super.connectedCallback();
    // Places only name the rows' places and fill the filter: the rows do not wait for them.
    void api.places().then((answer) => (this.places = answer.places), () => {});
  }

  private async load(): Promise<void> {
    try {
      this.answer = await nodesApi.list(this.query);
      this.failure = null;
    } catch (error) {
      this.failure = error;
    }
  }

  private go(change: Partial<NodeQuery & { page: number }>): string {
    return href("/nodes", toHash({ ...this.query, page: 1, ...change }));
  }

  private toggleProblem(problem: NodeProblem): string {
    const current = this.query.problems ?? [];
    return this.go({ problems: current.includes(problem) ? current.filter((p) => p !== problem) : [...current, problem] });
  }

  private applyFilters(event: SubmitEvent): void {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const text = (name: string) => String(form.get(name) ?? "").trim() || undefined;
    const status = text("status");
    navigate("/nodes", toHash({ ...this.query, page: 1, kind: text("kind"), status: status === "online" || status === "offline" ? status : undefined, firmware: text("firmware"), place: text("place"), q: text("q")?.toLowerCase() }));
  }

  /** Where, by the names on the place's path (compound › building › floor). */
  private placeName(node: NodeRecord): string {
    if (!node.place) return t("nodes.noPlace");
    const ids = node.place.path.split("/").filter(Boolean);
    const names = ids.map((id) => this.places.find((p) => p.id === id)).filter((p): p is PlaceRow => !!p && p.level !== "street" && p.level !== "community");
    return names.length ? names.map((p) => p.name).join(" › ") : node.place.name;
  }

  private renderFilters() {
    const q = this.query;
    const filtered = !!(q.kind || q.status || q.firmware || q.place || q.q);
    const choosable = this.places.filter((p) => p.level !== "floor");
    return html`<details class="card node-filters" ?open=${filtered}>
      <summary>${t("nodes.moreFilters")}</summary>
      <form @submit=${(e: SubmitEvent) => this.applyFilters(e)} class="filter-form">
        <div><label for="f-kind">${t("nodes.filter.kind")}</label>
          <select id="f-kind" name="kind">
            <option value="" ?selected=${!q.kind}>${t("nodes.filter.any")}</option>
            ${KINDS.map((k) => html`<option value=${k} ?selected=${q.kind === k}>${word(NODE_KIND_WORDS, k)}</option>`)}
          </select></div>
        <div><label for="f-status">${t("nodes.filter.status")}</label>
          <select id="f-status" name="status">
            <option value="" ?selected=${!q.status}>${t("nodes.filter.any")}</option>
            <option value="online" ?selected=${q.status === "online"}>${t("nodes.filter.online")}</option>
            <option value="offline" ?selected=${q.status === "offline"}>${t("nodes.filter.offline")}</option>
          </select></div>
        <div><label for="f-place">${t("nodes.filter.place")}</label>
          <select id="f-place" name="place">
            <option value="" ?selected=${!q.place}>${t("nodes.filter.anyPlace")}</option>
            ${choosable.map((p) => html`<option value=${p.id} ?selected=${q.place === p.id}>${"\u3000".repeat(Math.max(0, p.path.split("/").filter(Boolean).length - 1))}${p.name}</option>`)}
          </select></div>
        <div><label for="f-firmware">${t("nodes.filter.firmware")}</label>
          <input id="f-firmware" name="firmware" .value=${q.firmware ?? ""} autocomplete="off" /></div>
        <div><label for="f-q">${t("nodes.filter.id")}</label>
          <input id="f-q" name="q" .value=${q.q ?? ""} autocomplete="off" pattern="[A-Za-z0-9\\-]{1,40}" /></div>
        <div class="actions"><button class="btn btn-primary" type="submit">${t("nodes.filter.apply")}</button>
          <a class="btn" href=${href("/nodes")}>${t("nodes.filter.clear")}</a></div>
      </form>
    </details>`;
  }

  private renderNode(node: NodeRecord) {
    const health = node.health as { heap?: { freeBytes: number } | null; rssiDbm?: number | null } | null;
    const facts = [
      node.firmware ? t("nodes.firmware", { version: node.firmware }) : null,
      typeof health?.rssiDbm === "number" ? t("nodes.rssi", { dbm: health.rssiDbm }) : null,
      health?.heap ? t("nodes.freeHeap", { size: kib(health.heap.freeBytes) }) : null,
      t("nodes.lastHeard", { when: relativeTime(node.lastSeenAt) }),
    ].filter(Boolean);
    const worst = node.problems[0];
    return html`<li>
      <a class="card list-item node-card ${worst ? `problem-edge-${worst}` : ""}" href=${href(`/nodes/${node.id}`)} data-node=${node.id}>
        <div class="row"><strong class="node-id">${node.id}</strong><span>${word(NODE_KIND_WORDS, node.kind) || t("nodes.kindUnknown")}</span></div>
        <div class="place-path">${this.placeName(node)}</div>
        <div class="${node.online ? "node-online" : "node-offline"}">${statusWords(node)}</div>
        ${node.problems.length ? html`<div class="row problems">${node.problems.map((p) => html`<span class="badge problem-${p}">${word(PROBLEM_WORDS, p)}</span>`)}</div>` : nothing}
        <div class="muted">${facts.join(" · ")}</div>
      </a>
    </li>`;
  }

  protected override render() {
    const answer = this.answer;
    const q = this.query;
    const pages = answer ? Math.max(1, Math.ceil(answer.total / PAGE_SIZE)) : 1;
    return html`<section aria-labelledby="nodes-title">
      <div class="row"><h1 id="nodes-title">${t("nodes.title")}</h1>${answer ? html`<span class="muted">${t("nodes.countAll", { n: answer.counts.all })}</span>` : nothing}</div>
      <nav class="chips" aria-label=${t("nodes.problemsLabel")}>
        <a class="chip" href=${this.go({ problems: [] })} aria-current=${q.problems?.length ? "false" : "true"}>${t("nodes.allNodes")}</a>
        ${PROBLEMS.map(
          (p) => html`<a class="chip" href=${this.toggleProblem(p)} data-problem=${p} aria-current=${q.problems?.includes(p) ? "true" : "false"}>
            ${word(PROBLEM_WORDS, p)} <span class="chip-count">${answer ? answer.counts[p] : ""}</span></a>`,
        )}
      </nav>
      ${this.renderFilters()}
      ${errorMessage(this.failure)}
      ${answer
        ? answer.nodes.length
          ? html`<p class="muted" data-range>${t("nodes.range", { from: q.offset + 1, to: q.offset + answer.nodes.length, total: answer.total })}</p>`
          : html`<p class="empty">${t("nodes.empty")}</p>`
        : html`<p class="empty">${t("app.loading")}</p>`}
      <ul class="list node-list">${answer?.nodes.map((node) => this.renderNode(node))}</ul>
      ${pages > 1
        ? html`<nav class="pager" aria-label=${t("nodes.pages")}>
            ${q.page > 1 ? html`<a class="btn" href=${this.go({ page: q.page - 1 })} rel="prev">${t("nodes.previous")}</a>` : nothing}
            <span>${t("nodes.page", { page: q.page, pages })}</span>
            ${q.page < pages ? html`<a class="btn" href=${this.go({ page: q.page + 1 })} rel="next">${t("nodes.next")}</a>` : nothing}
          </nav>`
        : nothing}
    </section>`;
  }
}
customElements.define("sw-node-list", SwNodeList);
registerView({ pattern: "/nodes", tag: "sw-node-list", nav: "nav.nodes" });
