import { html, nothing } from "lit";
import { SwElement } from "../base";
import { relativeTime, t, type MessageKey } from "../i18n/i18n";
import { nodesApi, type CommandBody, type CommandRecord } from "../maintenance-api";
import { confirmDialog } from "./confirm";
import { errorMessage } from "./error-message";
import { COMMAND_STATUS_WORDS, COMMAND_WORDS, word } from "./maintenance-words";

export type OfferedOp = "self-test" | "relay-test" | "reboot" | "config" | "enable" | "disable";

/** While a command waits for its ack it is asked about this often; after ACK_PATIENCE_MS, less often. */
const POLL_MS = 1000;
const SLOW_POLL_MS = 5000;
const ACK_PATIENCE_MS = 120_000;
/** A command still "sent" after this long is not waited for any more (the node was offline; it is shown as waiting). */
const GIVE_UP_MS = 15 * 60_000;

/** Settings crews change most, offered as suggestions (the node checks any name it is sent). */
const SETTING_SUGGESTIONS = ["telemetryIntervalMs", "healthIntervalMs", "smoke.holdSamples"];

/** Kinds whose self-test checks fire detectors (firmware/node/self-test.ts). */
const DETECTOR_KINDS = ["smoke", "sensor"];

/** A command's state in words; a self-test that ran and found a fault did its job, so it says what it found. */
function statusWord(op: string, status: string): string {
  return op === "self-test" && status === "failed" ? t("nodeCommands.status.selfTestFailed") : word(COMMAND_STATUS_WORDS, status);
}

/** Each command's button, and the question asked before it is sent. */
const CONFIRM: Record<OfferedOp, { button: MessageKey; title: MessageKey; body: MessageKey; action: MessageKey }> = {
  "self-test": { button: "nodeCommands.op.selfTest", title: "nodeCommands.confirm.selfTestTitle", body: "nodeCommands.confirm.selfTestBody", action: "nodeCommands.op.selfTest" },
  "relay-test": { button: "nodeCommands.op.relayTest", title: "nodeCommands.confirm.relayTestTitle", body: "nodeCommands.confirm.relayTestBody", action: "nodeCommands.op.relayTest" },
  reboot: { button: "nodeCommands.op.reboot", title: "nodeCommands.confirm.rebootTitle", body: "nodeCommands.confirm.rebootBody", action: "nodeCommands.op.reboot" },
  config: { button: "nodeCommands.op.config", title: "nodeCommands.confirm.configTitle", body: "nodeCommands.confirm.configBody", action: "nodeCommands.send" },
  enable: { button: "nodeCommands.op.enable", title: "nodeCommands.confirm.enableTitle", body: "nodeCommands.confirm.enableBody", action: "nodeCommands.op.enable" },
  disable: { button: "nodeCommands.op.disable", title: "nodeCommands.confirm.disableTitle", body: "nodeCommands.confirm.disableBody", action: "nodeCommands.op.disable" },
};

/**
 * A node's commands: buttons for the ones offered (each asks first), and the recent commands
 * with their acknowledgement, which appears by itself once the node answers. The node acks
 * within seconds when online, so the page asks the server about a waiting command every second
 * rather than holding a stream open per node page; `role=status` reads the answer out.
 */
export class SwNodeCommands extends SwElement {
  static override properties = { nodeId: { attribute: false }, kind: { attribute: false }, offer: { attribute: false }, commands: { state: true }, failure: { state: true }, busy: { state: true } };
  nodeId = "";
  /** The node's kind: a smoke or sensor node's self-test is explained in its own words. */
  kind = "";
  offer: OfferedOp[] = [];
  commands: CommandRecord[] = [];
  failure: unknown = null;
  busy = false;
  /** The command sent from this page most recently: its progress is what the live line says. */
  private latestId: string | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async load(): Promise<void> {
    try {
      this.commands = (await nodesApi.commands(this.nodeId)).commands.slice(0, 10);
    } catch (error) {
      this.failure = error;
    }
    this.schedule();
  }

  private waiting(): CommandRecord[] {
    const now = Date.now();
    return this.commands.filter((c) => c.status === "sent" && now - Date.parse(c.createdAt) < GIVE_UP_MS);
  }

  /** Asks again about the commands still waiting for an ack, until none is. */
  private schedule(): void {
    if (this.timer || !this.isConnected) return;
    const waiting = this.waiting();
    if (!waiting.length) return;
    const youngest = Math.min(...waiting.map((c) => Date.now() - Date.parse(c.createdAt)));
    this.timer = setTimeout(() => void this.poll(waiting), youngest < ACK_PATIENCE_MS ? POLL_MS : SLOW_POLL_MS);
  }

  private async poll(waiting: CommandRecord[]): Promise<void> {
    this.timer = null;
    try {
      const answers = await Promise.all(waiting.map((c) => nodesApi.command(this.nodeId, c.id)));
      const byId = new Map(answers.map((a) => [a.command.id, a.command]));
      for (const before of waiting) {
        const after = byId.get(before.id);
        // The page around may show what the answer changed (an elevator lock enabled…).
        if (after && after.status !== "sent") this.dispatchEvent(new CustomEvent("command-settled", { detail: after, bubbles: true }));
      }
      this.commands = this.commands.map((c) => byId.get(c.id) ?? c);
    } catch {
      // A missed poll is retried at the next one; the list keeps what it knew.
    }
    this.schedule();
  }

  private async ask(op: OfferedOp): Promise<CommandBody | null> {
    const words = CONFIRM[op];
    const fields =
      op === "relay-test"
        ? html`<label for="sw-relay-seconds">${t("nodeCommands.relaySeconds")}</label>
            <input id="sw-relay-seconds" name="seconds" type="number" inputmode="decimal" min="0.1" max="10" step="0.1" value="1" required />`
        : op === "config"
          ? html`<label for="sw-setting-name">${t("nodeCommands.settingName")}</label>
              <input id="sw-setting-name" name="setting" list="sw-setting-names" required pattern="[A-Za-z][A-Za-z0-9]{0,31}(\\.[A-Za-z][A-Za-z0-9]{0,31}){0,2}" autocomplete="off" />
              <datalist id="sw-setting-names">${SETTING_SUGGESTIONS.map((name) => html`<option value=${name}></option>`)}</datalist>
              <label for="sw-setting-value">${t("nodeCommands.settingValue")}</label>
              <input id="sw-setting-value" name="value" type="number" inputmode="decimal" step="any" required />`
          : undefined;
    // Crews fear testing a detector sets off the fire alarm: say it does not, and that it keeps watching.
    const body = op === "self-test" && DETECTOR_KINDS.includes(this.kind) ? t("nodeCommands.confirm.selfTestDetectorBody") : t(words.body);
    const answer = await confirmDialog({ title: t(words.title), body, confirmLabel: t(words.action), fields });
    if (!answer.confirmed) return null;
    if (op === "relay-test") return { op, durationMs: Math.round(Number(answer.form!.get("seconds")) * 1000) };
    if (op === "config") return { op, config: { [String(answer.form!.get("setting")).trim()]: Number(answer.form!.get("value")) } };
    return { op };
  }

  private async send(op: OfferedOp): Promise<void> {
    const body = await this.ask(op);
    if (!body) return;
    this.busy = true;
    this.failure = null;
    try {
      const { command } = await nodesApi.send(this.nodeId, body);
      this.latestId = command.id;
      this.commands = [command, ...this.commands.filter((c) => c.id !== command.id)].slice(0, 10);
      this.schedule();
    } catch (error) {
      this.failure = error;
    } finally {
      this.busy = false;
    }
  }

  /** What the command asked for, in words: the settings and values, the relay's time. */
  private argsText(command: CommandRecord): string {
    const args = command.args ?? {};
    if (command.op === "config" && typeof args.config === "object" && args.config) {
      return Object.entries(args.config as Record<string, number>).map(([name, value]) => `${name} = ${value}`).join(", ");
    }
    if (command.op === "relay-test" && typeof args.durationMs === "number") return t("nodes.unit.seconds", { n: args.durationMs / 1000 });
    return "";
  }

  private liveLine(): string {
    const latest = this.commands.find((c) => c.id === this.latestId);
    if (!latest) return "";
    const op = word(COMMAND_WORDS, latest.op);
    if (latest.status === "sent") return t("nodeCommands.live.waiting", { op });
    return t("nodeCommands.live.answered", { op, status: statusWord(latest.op, latest.status) });
  }

  protected override render() {
    return html`<section class="card" aria-labelledby="commands-title">
      <h2 id="commands-title">${t("nodeCommands.title")}</h2>
      ${this.offer.length
        ? html`<div class="actions">${this.offer.map(
            (op) => html`<button class="btn ${op === "reboot" || op === "disable" ? "" : "btn-primary"}" data-command=${op} ?disabled=${this.busy} @click=${() => void this.send(op)}>${t(CONFIRM[op].button)}</button>`,
          )}</div>`
        : nothing}
      ${errorMessage(this.failure)}
      <p class="live-line" role="status" data-command-live>${this.liveLine()}</p>
      ${this.commands.length
        ? html`<ul class="list command-list">
            ${this.commands.map(
              (c) => html`<li class="command cmd-${c.status}" data-command-id=${c.id} data-status=${c.status}>
                <div class="row"><strong>${word(COMMAND_WORDS, c.op)}</strong><span class="cmd-status">${statusWord(c.op, c.status)}</span>
                  <span class="muted">${relativeTime(c.createdAt)}${c.createdBy ? ` · ${c.createdBy}` : ""}</span></div>
                ${this.argsText(c) ? html`<div class="muted">${this.argsText(c)}</div>` : nothing}
                ${c.detail ? html`<div class="cmd-detail">${t("nodeCommands.reply", { detail: c.detail })}</div>` : nothing}
              </li>`,
            )}
          </ul>`
        : html`<p class="muted">${t("nodeCommands.none")}</p>`}
    </section>`;
  }
}
customElements.define("sw-node-commands", SwNodeCommands);
