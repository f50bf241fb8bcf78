import { html, nothing } from "lit";
import { SwElement } from "../../base";
import { capsulesApi, type CapsuleRecord, type CommandRecord, type SupplyCategory, type SupplyInput, type SupplyRecord } from "../../capsules-api";
import { relativeTime, t, type MessageKey } from "../../i18n/i18n";
import { href, registerView } from "../../router";
import { incidentStream } from "../../session";
import { confirmDialog } from "../../ui/confirm";
import { errorMessage } from "../../ui/error-message";
import { capsuleFacts, capsuleName } from "./capsule-facts";
import { CAPSULE_POLL_MS } from "./capsule-list";
import { CATEGORIES, CATEGORY_WORDS, expiryBadge, expiryOf, expiryText, localToday } from "./supply-words";
import { Reload } from "../../ui/reload";

/** The display's own limit (shared/events.ts MAX_DISPLAY_CHARS); the node refuses a longer line. */
const DISPLAY_MAX_CHARS = 64;
/** How often the page asks whether the capsule has acknowledged its new line, and for how long. */
const ACK_POLL_MS = 1500;
const ACK_WAIT_MS = 60_000;

const COMMAND_WORDS: Record<CommandRecord["status"], MessageKey> = {
  sent: "capsules.display.sent",
  ok: "capsules.display.ok",
  refused: "capsules.display.refused",
  failed: "capsules.display.failed",
};

/**
 * One capsule: its doors, AED, cabinet and supply; the line on its display and a form to change
 * it (a node command, acknowledged by the capsule); and its supplies by the five categories, each
 * with its expiry warning, to add, correct and remove.
 */
export class SwCapsuleDetail extends SwElement {
  static override properties = {
    params: { attribute: false },
    capsule: { state: true },
    supplies: { state: true },
    failure: { state: true },
    actionFailure: { state: true },
    command: { state: true },
    waitedOut: { state: true },
    busy: { state: true },
  };
  params: Record<string, string> = {};
  capsule: CapsuleRecord | null = null;
  supplies: SupplyRecord[] = [];
  failure: unknown = null;
  actionFailure: unknown = null;
  /** The display command last sent from this page, as the server last told it. */
  command: CommandRecord | null = null;
  waitedOut = false;
  busy = false;
  private stops: Array<() => void> = [];
  private readonly reload = new Reload(this, () => this.loadCapsule(), CAPSULE_POLL_MS, () => this.load());
  private ackPoll?: ReturnType<typeof setTimeout>;

  private get nodeId(): string {
    return this.params.nodeId;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.stops.push(
      incidentStream.on("incident", () => void this.loadCapsule()),
      incidentStream.onResync(() => void this.load()),
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.ackPoll);
    for (const stop of this.stops.splice(0)) stop();
  }

  private async load(): Promise<void> {
    try {
      const [capsule, supplies] = await Promise.all([capsulesApi.get(this.nodeId), capsulesApi.supplies(this.nodeId)]);
      this.capsule = capsule.capsule;
      this.supplies = supplies.supplies;
      this.failure = null;
    } catch (error) {
      this.failure = error;
    }
  }

  private async loadCapsule(): Promise<void> {
    try {
      this.capsule = (await capsulesApi.get(this.nodeId)).capsule;
    } catch {
      // The next poll tries again; the page keeps what it showed.
    }
  }

  /** Runs a change, shows its failure if any, and reloads what it changed. */
  private async change(work: () => Promise<unknown>): Promise<void> {
    this.busy = true;
    this.actionFailure = null;
    try {
      await work();
      this.supplies = (await capsulesApi.supplies(this.nodeId)).supplies;
    } catch (error) {
      this.actionFailure = error;
    } finally {
      this.busy = false;
    }
  }

  private async setDisplay(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    if (!form.reportValidity()) return;
    const text = String(new FormData(form).get("display") ?? "").trim();
    this.busy = true;
    this.actionFailure = null;
    this.waitedOut = false;
    clearTimeout(this.ackPoll);
    try {
      this.command = (await capsulesApi.setDisplay(this.nodeId, text)).command;
      this.watchAck(this.command.id, Date.now());
    } catch (error) {
      this.actionFailure = error;
    } finally {
      this.busy = false;
    }
  }

  /** Asks after the command until the capsule acks it (then shows its new line) or a minute passes. */
  private watchAck(commandId: string, startedAt: number): void {
    this.ackPoll = setTimeout(async () => {
      try {
        this.command = (await capsulesApi.command(this.nodeId, commandId)).command;
      } catch {
        // Asked again below.
      }
      if (this.command?.status !== "sent") {
        void this.loadCapsule();
        return;
      }
      if (Date.now() - startedAt > ACK_WAIT_MS) this.waitedOut = true;
      else this.watchAck(commandId, startedAt);
    }, ACK_POLL_MS);
  }

  private async editSupply(existing: SupplyRecord | null, category?: SupplyCategory): Promise<void> {
    const answer = await confirmDialog({
      title: t(existing ? "supplies.editTitle" : "supplies.addTitle"),
      confirmLabel: t(existing ? "supplies.save" : "supplies.add"),
      fields: supplyFields(existing, category),
    });
    if (!answer.confirmed || !answer.form) return;
    const form = answer.form;
    const text = (name: string) => String(form.get(name) ?? "").trim();
    const supply: SupplyInput = {
      item: text("item"),
      category: text("category") as SupplyCategory,
      quantity: Number(text("quantity")),
      expiresOn: text("expiresOn") || null,
      note: text("supplyNote") || null,
    };
    await this.change(() => (existing ? capsulesApi.editSupply(this.nodeId, existing.id, supply) : capsulesApi.addSupply(this.nodeId, supply)));
  }

  private async removeSupply(supply: SupplyRecord): Promise<void> {
    const answer = await confirmDialog({ title: t("supplies.removeTitle", { item: supply.item }), body: t("supplies.removeBody"), confirmLabel: t("supplies.remove") });
    if (answer.confirmed) await this.change(() => capsulesApi.removeSupply(this.nodeId, supply.id));
  }

  protected override render() {
    const back = html`<p><a class="btn btn-quiet" href=${href("/capsules")}>← ${t("capsules.back")}</a></p>`;
    if (this.failure) return html`${back}${errorMessage(this.failure)}`;
    if (!this.capsule) return html`<p class="empty">${t("app.loading")}</p>`;
    const c = this.capsule;
    return html`<article class="capsule-detail" aria-labelledby="capsule-title">
      ${back}
      <div class="card capsule-head ${c.aed === "removed" || !c.online ? "sev-edge-alarm" : ""}">
        <h1 id="capsule-title">${capsuleName(c)}</h1>
        <p class="muted">${t("capsules.nodeLine", { id: c.nodeId, when: relativeTime(c.lastEventAt) })}</p>
        ${capsuleFacts(c)}
      </div>
      ${this.renderDisplay(c)}
      ${this.renderSupplies()}
    </article>`;
  }

  private renderDisplay(c: CapsuleRecord) {
    const command = this.command;
    return html`<section class="card display-card" aria-labelledby="display-title">
      <h2 id="display-title">${t("capsules.display.title")}</h2>
      <p>${t("capsules.display.now")} <strong class="display-line" data-display>${c.display || t("capsules.display.empty")}</strong></p>
      <form @submit=${(e: SubmitEvent) => void this.setDisplay(e)}>
        <label for="display-text">${t("capsules.display.field")}</label>
        <input id="display-text" name="display" required maxlength=${DISPLAY_MAX_CHARS} pattern=${'[^"\\\\]*'} autocomplete="off" aria-describedby="display-help" .value=${c.display} />
        <p class="muted" id="display-help">${t("capsules.display.help", { n: DISPLAY_MAX_CHARS })}</p>
        <div class="actions"><button class="btn btn-primary" type="submit" data-action="set-display" ?disabled=${this.busy}>${t("capsules.display.set")}</button></div>
      </form>
      <p role="status" data-command-status=${command?.status ?? ""}>
        ${command ? t(COMMAND_WORDS[command.status], { detail: command.detail ?? "" }) : nothing}
        ${command?.status === "sent" && this.waitedOut ? t("capsules.display.noAnswer") : nothing}
      </p>
    </section>`;
  }

  private renderSupplies() {
    const today = localToday();
    return html`<section class="card supplies-card" aria-labelledby="supplies-title">
      <div class="row"><h2 id="supplies-title">${t("supplies.title")}</h2><span class="muted">${t("supplies.count", { n: this.supplies.length })}</span></div>
      <div class="actions">
        <button class="btn btn-primary" type="button" data-action="add-supply" ?disabled=${this.busy} @click=${() => void this.editSupply(null)}>${t("supplies.add")}</button>
        <a class="btn" href=${href(`/capsules/${this.nodeId}/checklist`)}>${t("checklist.open")}</a>
      </div>
      ${errorMessage(this.actionFailure)}
      ${CATEGORIES.map((category) => {
        const items = this.supplies.filter((s) => s.category === category);
        return html`<section class="supply-group" aria-labelledby="cat-${category}" data-category=${category}>
          <h3 id="cat-${category}">${t(CATEGORY_WORDS[category])} <span class="muted">${t("supplies.count", { n: items.length })}</span></h3>
          ${items.length ? nothing : html`<p class="muted">${t("supplies.noneInCategory")}</p>`}
          <ul class="list supply-list">
            ${items.map((s) => {
              const expiry = expiryOf(s.expiresOn, today);
              return html`<li class="supply supply-${expiry.state}" data-supply=${s.id}>
                <div class="supply-main">
                  <span class="supply-name">${s.item}</span>
                  <span class="row"><span>${t("supplies.quantity", { n: s.quantity })}</span><span class="muted">${expiryText(s.expiresOn)}</span>${expiryBadge(expiry)}</span>
                  ${s.note ? html`<span class="muted">${s.note}</span>` : nothing}
                </div>
                <div class="supply-actions">
                  <button class="btn" type="button" aria-label=${t("supplies.editNamed", { item: s.item })} ?disabled=${this.busy} @click=${() => void this.editSupply(s)}>${t("supplies.edit")}</button>
                  <button class="btn" type="button" aria-label=${t("supplies.removeNamed", { item: s.item })} ?disabled=${this.busy} @click=${() => void this.removeSupply(s)}>${t("supplies.remove")}</button>
                </div>
              </li>`;
            })}
          </ul>
        </section>`;
      })}
    </section>`;
  }
}

/** The fields of the add / edit dialog, filled from the item when editing. */
function supplyFields(existing: SupplyRecord | null, category?: SupplyCategory) {
  const chosen = existing?.category ?? category ?? "fire";
  return html`<label for="supply-item">${t("supplies.field.item")}</label>
    <input id="supply-item" name="item" required maxlength="80" autocomplete="off" .value=${existing?.item ?? ""} />
    <label for="supply-category">${t("supplies.field.category")}</label>
    <select id="supply-category" name="category" required>
      ${CATEGORIES.map((c) => html`<option value=${c} ?selected=${c === chosen}>${t(CATEGORY_WORDS[c])}</option>`)}
    </select>
    <label for="supply-quantity">${t("supplies.field.quantity")}</label>
    <input id="supply-quantity" name="quantity" type="number" inputmode="numeric" required min="0" max="10000" step="1" .value=${String(existing?.quantity ?? 1)} />
    <label for="supply-expires">${t("supplies.field.expiresOn")}</label>
    <input id="supply-expires" name="expiresOn" type="date" aria-describedby="supply-expires-help" .value=${existing?.expiresOn ?? ""} />
    <p class="muted" id="supply-expires-help">${t("supplies.field.expiresHelp")}</p>
    <label for="supply-note">${t("supplies.field.note")}</label>
    <input id="supply-note" name="supplyNote" maxlength="200" autocomplete="off" .value=${existing?.note ?? ""} />`;
}

customElements.define("sw-capsule-detail", SwCapsuleDetail);
registerView({ pattern: "/capsules/:nodeId", tag: "sw-capsule-detail" });
