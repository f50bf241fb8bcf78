import mqtt, { type MqttClient } from "mqtt";
import { esp32DevkitC, type BoardDefinition } from "../../../../hardware/boards";
import type { NodeCommand } from "../../../../shared/commands";
import type { CapsuleNodeConfig } from "../../../capsule/config";
import type { NodeConfig } from "../../../config";
import type { ElevatorNodeConfig } from "../../../elevator/config";
import type { CommandResult, HostReply, HostToNode, NodeInspection, NodeToHost, SimNodeKind, SimOutputs } from "../protocol";
import { bundleForXs, firmwarePath } from "./bundle";
import { SimFlash } from "./sim-flash";
import { XsWorker, type XsMeter } from "./xs-worker";

export interface SimNodeOptions {
  /** Which firmware to boot; a smoke node unless said otherwise. The config must be of that kind. */
  kind?: SimNodeKind;
  config: NodeConfig | ElevatorNodeConfig | CapsuleNodeConfig;
  /** The simulated board; its pin map reaches the firmware as mc/config does on a device. */
  board?: BoardDefinition;
  /** MQTT URL the host bridges the node's session to, e.g. mqtt://127.0.0.1:1883. */
  brokerUrl: string;
  /** 4 (MQTT 3.1.1) or 5. The firmware's session logic is the same either way. */
  protocolVersion?: 4 | 5;
  flash?: SimFlash;
  /** Pin levels present at power-on, by pin name (a closed door, a thermistor at room temperature). */
  levels?: Record<string, number>;
  seed?: number;
  onLog?: (level: string, message: string) => void;
  /** Called when the node hands a message to MQTT, with the host's clock, for latency measurements. */
  onPublish?: (topic: string, payload: string, atMs: number) => void;
}

export interface StepResult<T> {
  value: T;
  meter: XsMeter;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A simulated node: its firmware runs in a real XS machine (xsnap-worker), its pins are set by
 * the caller, its clock moves when the caller says, and its MQTT session is bridged to a real
 * broker. Every step returns XS's meter.
 */
export class SimNode {
  readonly nodeId: string;
  readonly flash: SimFlash;
  readonly worker: XsWorker;
  #options: SimNodeOptions;
  #client: MqttClient | undefined;
  #realtime: NodeJS.Timeout | undefined;

  private constructor(options: SimNodeOptions) {
    this.#options = options;
    this.nodeId = options.config.nodeId;
    this.flash = options.flash ?? new SimFlash();
    this.worker = new XsWorker({ name: this.nodeId, onIssue: (request) => this.#onIssue(request) });
  }

  static async boot(options: SimNodeOptions): Promise<SimNode> {
    const node = new SimNode(options);
    try {
      await node.worker.evaluate(await bundleForXs(firmwarePath("platform/sim/runtime.ts")));
      await node.#send(bootRequest(options));
    } catch (error) {
      node.kill();
      throw error;
    }
    return node;
  }

  setPins(values: Record<string, number>): Promise<StepResult<unknown>> {
    return this.#send({ op: "pins", values });
  }

  /** Moves the node's clock forward, running every timer that falls due. */
  advance(ms: number): Promise<StepResult<number>> {
    return this.#send({ op: "advance", ms }) as Promise<StepResult<number>>;
  }

  async inspect(): Promise<NodeInspection> {
    return (await this.#send({ op: "inspect" })).value as NodeInspection;
  }

  /** Makes a peripheral toggle a pin every `halfPeriodMs` of the node's time (null stops it). */
  setPulses(values: Record<string, number | null>): Promise<StepResult<unknown>> {
    return this.#send({ op: "pulses", values });
  }

  /** What the circuits around the chip are doing: relay held, light, voice module, display. */
  async outputs(): Promise<SimOutputs> {
    return (await this.#send({ op: "outputs" })).value as SimOutputs;
  }

  /** Hangs the firmware (no timer runs again) while the node's circuits keep their own time. */
  async hang(): Promise<void> {
    await this.#send({ op: "hang" });
  }

  /** Calls the firmware's command handler directly, as the command channel would. */
  async command(command: NodeCommand): Promise<CommandResult> {
    return (await this.#send({ op: "command", command })).value as CommandResult;
  }

  /** Lets the virtual clock follow the host's clock, for a live simulated site. */
  runRealtime(tickMs = 100): void {
    let last = performance.now();
    this.#realtime = setInterval(() => {
      const now = performance.now();
      const elapsed = Math.floor(now - last);
      last += elapsed;
      this.advance(elapsed).catch(() => this.stopRealtime());
    }, tickMs);
  }

  stopRealtime(): void {
    clearInterval(this.#realtime);
  }

  /** Power cut: the XS machine and its connection end at once, without a goodbye. */
  kill(): void {
    this.stopRealtime();
    this.worker.kill();
    this.#client?.end(true);
  }

  async stop(): Promise<void> {
    this.stopRealtime();
    if (this.worker.alive) {
      await this.#send({ op: "stop" }).catch(() => undefined);
      await this.worker.close();
    }
    this.#client?.end(true);
  }

  async #send(request: HostToNode): Promise<StepResult<unknown>> {
    const { bytes, meter } = await this.worker.command(encoder.encode(JSON.stringify(request)));
    const reply = JSON.parse(decoder.decode(bytes)) as HostReply;
    if (!reply.ok) throw new Error(`node ${this.nodeId} refused ${request.op}: ${reply.error}`);
    return { value: reply.value, meter };
  }

  #notify(request: HostToNode): void {
    if (this.worker.alive) this.#send(request).catch((error: Error) => this.#log("error", error.message));
  }

  #log(level: string, message: string): void {
    (this.#options.onLog ?? ((l, m) => console.log(`[${this.nodeId}] ${l}: ${m}`)))(level, message);
  }

  #onIssue(bytes: Uint8Array): Uint8Array {
    const request = JSON.parse(decoder.decode(bytes)) as NodeToHost;
    const reply: HostReply = { ok: true, value: this.#handle(request) ?? null };
    return encoder.encode(JSON.stringify(reply));
  }

  #handle(request: NodeToHost): unknown {
    switch (request.op) {
      case "log":
        this.#log(request.level, request.message);
        return;
      case "storage.get":
        return this.flash.get(request.key);
      case "storage.set":
        this.flash.set(request.key, request.value);
        return;
      case "storage.delete":
        this.flash.delete(request.key);
        return;
      case "mqtt.connect":
        this.#connect(request.options);
        return;
      case "mqtt.publish":
        this.#publish(request);
        return;
      case "mqtt.subscribe":
        this.#client?.subscribe(request.filter, { qos: 1 });
        return;
      case "mqtt.close":
        // A clean DISCONNECT: the broker discards the last will, as for a node shut down on purpose.
        this.#client?.end(false);
        this.#client = undefined;
        return;
    }
  }

  #connect(options: Extract<NodeToHost, { op: "mqtt.connect" }>["options"]): void {
    this.#client?.end(true);
    const client = mqtt.connect(this.#options.brokerUrl, {
      clientId: options.clientId,
      username: options.username,
      password: options.password,
      keepalive: Math.round(options.keepAliveMs / 1000),
      protocolVersion: this.#options.protocolVersion ?? 4,
      clean: true,
      // The firmware owns reconnection and backoff; the bridge only reports what happened.
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      will: { topic: options.will.topic, payload: Buffer.from(options.will.payload), qos: options.will.qos, retain: options.will.retain },
    });
    this.#client = client;
    let reported = false;
    const down = (reason: string) => {
      if (reported || this.#client !== client) return;
      reported = true;
      this.#client = undefined;
      client.end(true);
      this.#notify({ op: "mqtt", event: "disconnected", reason });
    };
    client.on("connect", () => {
      // As the device's socket does (`noDelay`): an alarm must not wait behind Nagle's algorithm
      // for the ACK of an earlier QoS 0 telemetry packet, which costs ~40 ms on Linux.
      (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
      this.#notify({ op: "mqtt", event: "connected" });
    });
    client.on("message", (topic, payload) => this.#notify({ op: "mqtt", event: "message", topic, payload: payload.toString("utf8") }));
    client.on("error", (error) => down(error.message));
    client.on("close", () => down("connection closed"));
  }

  #publish(request: Extract<NodeToHost, { op: "mqtt.publish" }>): void {
    const client = this.#client;
    if (!client?.connected) return; // unacknowledged: the firmware sends it again after reconnecting
    this.#options.onPublish?.(request.topic, request.payload, performance.now());
    client.publish(request.topic, request.payload, { qos: request.qos, retain: request.retain }, (error) => {
      if (!error && request.qos === 1) this.#notify({ op: "mqtt", event: "published", packetId: request.packetId });
    });
  }
}

function bootRequest(options: SimNodeOptions): HostToNode {
  const board = options.board ?? esp32DevkitC;
  const base = { op: "boot" as const, seed: options.seed ?? 1, pins: board.pins, adcResolutionBits: board.adcResolutionBits, levels: options.levels };
  switch (options.kind ?? "smoke") {
    case "smoke":
      return { ...base, kind: "smoke", config: options.config as NodeConfig };
    case "elevator": {
      const { relayLock, warningLight } = board.outputDrive ?? {};
      if (!relayLock || !warningLight) throw new Error(`board ${board.id} does not say how relayLock and warningLight are driven (outputDrive)`);
      return { ...base, kind: "elevator", config: options.config as ElevatorNodeConfig, board: { outputDrive: { relayLock, warningLight } } };
    }
    case "capsule":
      if (!board.adcFullScaleMv) throw new Error(`board ${board.id} does not give adcFullScaleMv`);
      return { ...base, kind: "capsule", config: options.config as CapsuleNodeConfig, board: { adcFullScaleMv: board.adcFullScaleMv } };
  }
}
