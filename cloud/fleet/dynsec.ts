import type { MqttClient } from "mqtt";

/**
 * Mosquitto's dynamic-security plugin, driven over MQTT: JSON commands published to its control
 * topic, answers on its response topic (mosquitto.org/documentation/dynamic-security). Every
 * subscriber to the response topic sees every answer, so each command carries a correlation id.
 */
export const CONTROL_TOPIC = "$CONTROL/dynamic-security/v1";
export const RESPONSE_TOPIC = `${CONTROL_TOPIC}/response`;
const ANSWER_TIMEOUT_MS = 10_000;
/**
 * Commands issued in the same turn travel together in one control message, as long as it stays
 * under the broker's message_size_limit (4096 bytes in deploy/mosquitto/shouwang.conf, the
 * limit every node message keeps to). A bigger one is refused with PUBACK reason 0x95, which
 * mqtt.js treats as a protocol error and drops the connection.
 */
const MAX_MESSAGE_BYTES = 4000;

export interface DynsecCommand {
  command: string;
  [field: string]: unknown;
}

export interface DynsecAnswer {
  command: string;
  error?: string;
  data?: unknown;
}

export class DynsecError extends Error {
  override name = "DynsecError";
}

interface Pending {
  command: DynsecCommand;
  resolve: (answer: DynsecAnswer) => void;
  reject: (error: Error) => void;
}

export class DynsecClient {
  #client: MqttClient;
  #prefix = `sw-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  #next = 0;
  #waiting = new Map<string, Pending & { timer: NodeJS.Timeout }>();
  #queue: Pending[] = [];
  #flushing = false;

  #answerTimeoutMs: number;

  private constructor(client: MqttClient, answerTimeoutMs: number) {
    this.#client = client;
    this.#answerTimeoutMs = answerTimeoutMs;
    client.on("message", (topic, payload) => {
      if (topic === RESPONSE_TOPIC) this.#onAnswers(payload);
    });
  }

  /** Attaches to a connected client whose account may use the plugin (the cloud's provisioner). */
  static async attach(client: MqttClient, options: { answerTimeoutMs?: number } = {}): Promise<DynsecClient> {
    const dynsec = new DynsecClient(client, options.answerTimeoutMs ?? ANSWER_TIMEOUT_MS);
    const refused = new DynsecError("this MQTT account may not read the broker's dynamic-security answers: is it the provisioner account?");
    const granted = await client.subscribeAsync(RESPONSE_TOPIC, { qos: 1 }).catch(() => {
      throw refused;
    });
    if (!granted[0] || granted[0].qos > 2) throw refused;
    return dynsec;
  }

  /** Runs one command; resolves with its answer, `error` included (the caller decides what is fatal). */
  run(command: DynsecCommand): Promise<DynsecAnswer> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ command, resolve, reject });
      if (!this.#flushing) {
        this.#flushing = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  /** Runs commands in order and throws the first error that `tolerated` does not accept. */
  async runAll(commands: DynsecCommand[], tolerated: (answer: DynsecAnswer) => boolean = () => false): Promise<DynsecAnswer[]> {
    const answers = await Promise.all(commands.map((command) => this.run(command)));
    const failed = answers.find((answer) => answer.error && !tolerated(answer));
    if (failed) throw new DynsecError(`the broker refused ${failed.command}: ${failed.error}`);
    return answers;
  }

  close(): void {
    for (const pending of this.#waiting.values()) {
      clearTimeout(pending.timer);
      pending.reject(new DynsecError("the dynamic-security client was closed before the broker answered"));
    }
    this.#waiting.clear();
  }

  #flush(): void {
    this.#flushing = false;
    while (this.#queue.length) {
      const batch = this.#takeFitting();
      const commands = batch.map((pending) => {
        const correlationData = `${this.#prefix}-${++this.#next}`;
        const timer = setTimeout(() => {
          this.#waiting.delete(correlationData);
          pending.reject(new DynsecError(`the broker did not answer ${pending.command.command} within ${this.#answerTimeoutMs / 1000} s`));
        }, this.#answerTimeoutMs);
        this.#waiting.set(correlationData, { ...pending, timer });
        return { ...pending.command, correlationData };
      });
      this.#client.publish(CONTROL_TOPIC, JSON.stringify({ commands }), { qos: 1 }, (error) => {
        if (!error) return;
        for (const { correlationData } of commands) this.#fail(correlationData, new DynsecError(`could not send to the broker: ${error.message}`));
      });
    }
  }

  /** The longest run of queued commands whose message fits the size limit (always at least one). */
  #takeFitting(): Pending[] {
    let bytes = '{"commands":[]}'.length;
    let count = 0;
    for (const pending of this.#queue) {
      // Room for the correlation id and a comma (commands are ASCII: ids, topics, hex passwords).
      const size = JSON.stringify(pending.command).length + 48;
      if (count > 0 && bytes + size > MAX_MESSAGE_BYTES) break;
      bytes += size;
      count++;
    }
    return this.#queue.splice(0, count);
  }

  #fail(correlationData: string, error: Error): void {
    const pending = this.#waiting.get(correlationData);
    if (!pending) return;
    this.#waiting.delete(correlationData);
    clearTimeout(pending.timer);
    pending.reject(error);
  }

  #onAnswers(payload: Buffer): void {
    let parsed: { responses?: Array<DynsecAnswer & { correlationData?: string }> };
    try {
      parsed = JSON.parse(payload.toString("utf8"));
    } catch {
      return;
    }
    for (const answer of parsed.responses ?? []) {
      const pending = answer.correlationData === undefined ? undefined : this.#waiting.get(answer.correlationData);
      if (!pending) continue;
      this.#waiting.delete(answer.correlationData!);
      clearTimeout(pending.timer);
      pending.resolve({ command: answer.command, error: answer.error, data: answer.data });
    }
  }
}
