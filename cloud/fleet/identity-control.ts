import type { MqttClient } from "mqtt";

/**
 * The broker side of device identities: the project's Mosquitto plugin
 * (deploy/mosquitto/plugin/shouwang_auth.c) takes one command a line on its control topic and
 * answers `<corr> ok` or `<corr> error <why>` on the response topic. Commands issued in the same
 * turn travel in one message, kept under the broker's 4 KiB message_size_limit.
 */
export const IDENTITY_CONTROL_TOPIC = "$CONTROL/shouwang/v1";
export const IDENTITY_RESPONSE_TOPIC = `${IDENTITY_CONTROL_TOPIC}/response`;
const ANSWER_TIMEOUT_MS = 10_000;
const MAX_MESSAGE_BYTES = 4000;

export class IdentityControlError extends Error {
  override name = "IdentityControlError";
}

interface Pending {
  line: string;
  resolve: () => void;
  reject: (error: Error) => void;
}

export class IdentityControl {
  #client: MqttClient;
  #prefix = `c${process.pid.toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  #next = 0;
  #waiting = new Map<string, Pending & { timer: NodeJS.Timeout }>();
  #queue: Pending[] = [];
  #flushing = false;

  private constructor(client: MqttClient) {
    this.#client = client;
    client.on("message", (topic, payload) => {
      if (topic === IDENTITY_RESPONSE_TOPIC) this.#onAnswers(payload.toString("utf8"));
    });
  }

  /** Attaches to a connected client whose account may use the control topic (the provisioner). */
  static async attach(client: MqttClient): Promise<IdentityControl> {
    const control = new IdentityControl(client);
    const refused = new IdentityControlError(
      "this MQTT account may not read the identity plugin's answers: is it the provisioner account, and is deploy/mosquitto/plugin loaded?",
    );
    const granted = await client.subscribeAsync(IDENTITY_RESPONSE_TOPIC, { qos: 1 }).catch(() => {
      throw refused;
    });
    if (!granted[0] || granted[0].qos > 2) throw refused;
    return control;
  }

  /** Runs one command (`node-set <serial> <hash>`, …); rejects with the plugin's reason if refused. */
  run(line: string): Promise<void> {
    if (/[\r\n]/.test(line)) return Promise.reject(new IdentityControlError("a command is one line"));
    return new Promise((resolve, reject) => {
      this.#queue.push({ line, resolve, reject });
      if (!this.#flushing) {
        this.#flushing = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  async runAll(lines: readonly string[]): Promise<void> {
    await Promise.all(lines.map((line) => this.run(line)));
  }

  close(): void {
    for (const pending of this.#waiting.values()) {
      clearTimeout(pending.timer);
      pending.reject(new IdentityControlError("the identity control client was closed before the broker answered"));
    }
    this.#waiting.clear();
  }

  #flush(): void {
    this.#flushing = false;
    while (this.#queue.length) {
      let bytes = 0;
      const lines: string[] = [];
      while (this.#queue.length) {
        const corr = `${this.#prefix}-${(++this.#next).toString(36)}`;
        const pending = this.#queue[0];
        const text = `${corr} ${pending.line}`;
        if (lines.length > 0 && bytes + text.length + 1 > MAX_MESSAGE_BYTES) {
          this.#next--;
          break;
        }
        this.#queue.shift();
        bytes += text.length + 1;
        lines.push(text);
        const timer = setTimeout(() => {
          this.#waiting.delete(corr);
          pending.reject(new IdentityControlError(`the broker did not answer "${pending.line.split(" ")[0]}" within ${ANSWER_TIMEOUT_MS / 1000} s`));
        }, ANSWER_TIMEOUT_MS);
        this.#waiting.set(corr, { ...pending, timer });
      }
      const corrs = lines.map((line) => line.slice(0, line.indexOf(" ")));
      this.#client.publish(IDENTITY_CONTROL_TOPIC, lines.join("\n"), { qos: 1 }, (error) => {
        if (!error) return;
        for (const corr of corrs) this.#settle(corr, new IdentityControlError(`could not send to the broker: ${error.message}`));
      });
    }
  }

  #settle(corr: string, error?: Error): void {
    const pending = this.#waiting.get(corr);
    if (!pending) return;
    this.#waiting.delete(corr);
    clearTimeout(pending.timer);
    if (error) pending.reject(error);
    else pending.resolve();
  }

  #onAnswers(text: string): void {
    for (const line of text.split("\n")) {
      const [corr, outcome, ...why] = line.split(" ");
      if (!corr || !this.#waiting.has(corr)) continue;
      const pending = this.#waiting.get(corr)!;
      this.#settle(corr, outcome === "ok" ? undefined : new IdentityControlError(`the broker refused "${pending.line.split(" ")[0]}": ${why.join(" ") || "no reason given"}`));
    }
  }
}
