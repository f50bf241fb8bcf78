import mqtt, { type MqttClient } from "mqtt";
import { esp32DevkitC, type BoardDefinition } from "../../../../hardware/boards";
import type { NodeConfig } from "../../../config";
import type { HostReply, HostToNode, NodeInspection, NodeToHost } from "../protocol";
import { bundleForXs, firmwarePath } from "./bundle";
import { SimFlash } from "./sim-flash";
import type { BootedImage, SimPartitions } from "./sim-partitions";
import { XsWorker, type XsMeter } from "./xs-worker";

export interface SimNodeOptions {
  config: NodeConfig;
  /** The simulated board; its pin map reaches the firmware as mc/config does on a device. */
  board?: BoardDefinition;
  /** MQTT URL the host bridges the node's session to, e.g. mqtt://127.0.0.1:1883. */
  brokerUrl: string;
  /** 4 (MQTT 3.1.1) or 5. The firmware's session logic is the same either way. */
  protocolVersion?: 4 | 5;
  flash?: SimFlash;
  seed?: number;
  onLog?: (level: string, message: string) => void;
  /** Called when the node hands a message to MQTT, with the host's clock, for latency measurements. */
  onPublish?: (topic: string, payload: string, atMs: number) => void;
  /**
   * The node's app slots; with them the host plays the bootloader: each boot starts the image it
   * selects (its version becomes the firmware's), and the firmware can update itself and restart.
   * `config.ota` must be set too.
   */
  partitions?: SimPartitions;
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
  #worker: XsWorker;
  #options: SimNodeOptions;
  #client: MqttClient | undefined;
  #realtime: NodeJS.Timeout | undefined;
  #pins: Record<string, number> = {};
  #image: BootedImage | undefined;
  #restartRequested = false;
  #restarting: Promise<void> | null = null;
  #boots = 0;

  private constructor(options: SimNodeOptions) {
    this.#options = options;
    this.nodeId = options.config.nodeId;
    this.flash = options.flash ?? new SimFlash();
    this.#worker = this.#newWorker();
  }

  static async boot(options: SimNodeOptions): Promise<SimNode> {
    const node = new SimNode(options);
    try {
      await node.#startFirmware();
    } catch (error) {
      node.kill();
      throw error;
    }
    return node;
  }

  /** The XS machine running the firmware now; a restart replaces it. */
  get worker(): XsWorker {
    return this.#worker;
  }

  /** The image the simulated bootloader started at the latest boot, when the node has partitions. */
  get image(): BootedImage | undefined {
    return this.#image;
  }

  /** Boots so far, counting the first. */
  get boots(): number {
    return this.#boots;
  }

  setPins(values: Record<string, number>): Promise<StepResult<unknown>> {
    Object.assign(this.#pins, values);
    return this.#send({ op: "pins", values });
  }

  /**
   * Power cut and power back: the XS machine and its connection end without a goodbye, and the
   * bootloader starts whichever image its rules select. Flash, partitions and pin levels stay.
   */
  async powerCycle(): Promise<void> {
    await this.#restarting;
    await this.#restart();
  }

  /** Moves the node's clock forward, running every timer that falls due. */
  advance(ms: number): Promise<StepResult<number>> {
    return this.#send({ op: "advance", ms }) as Promise<StepResult<number>>;
  }

  async inspect(): Promise<NodeInspection> {
    return (await this.#send({ op: "inspect" })).value as NodeInspection;
  }

  /** Wi-Fi drops: the TCP connection dies under the node, which notices and reconnects on its own schedule. */
  dropLink(): void {
    this.#client?.stream.destroy();
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
    this.#worker.kill();
    this.#client?.end(true);
  }

  async stop(): Promise<void> {
    this.stopRealtime();
    await this.#restarting;
    if (this.#worker.alive) {
      await this.#send({ op: "stop" }).catch(() => undefined);
      await this.#worker.close();
    }
    this.#client?.end(true);
  }

  #newWorker(): XsWorker {
    return new XsWorker({ name: this.nodeId, onIssue: (request) => this.#onIssue(request) });
  }

  /** Loads the firmware into the current worker and boots it, as the image the bootloader selects. */
  async #startFirmware(): Promise<void> {
    const options = this.#options;
    await this.#worker.evaluate(await bundleForXs(firmwarePath("platform/sim/runtime.ts")));
    const board = options.board ?? esp32DevkitC;
    let config = options.config;
    if (options.partitions) {
      if (!config.ota) throw new Error("a node with partitions needs config.ota");
      this.#image = options.partitions.selectBoot();
      config = { ...config, firmwareVersion: this.#image.header.version };
    }
    this.#boots++;
    await this.#command({
      op: "boot",
      kind: "smoke",
      config,
      seed: (options.seed ?? 1) + this.#boots - 1,
      pins: board.pins,
      adcResolutionBits: board.adcResolutionBits,
      ota: options.partitions ? { capacityBytes: options.partitions.capacityBytes } : undefined,
    });
    if (Object.keys(this.#pins).length) await this.#command({ op: "pins", values: this.#pins });
  }

  /** A restart (esp_restart, a rollback, a power cycle): TCP drops without DISCONNECT, so the broker sends the last will. */
  #restart(): Promise<void> {
    this.#restartRequested = false;
    this.#restarting = (async () => {
      this.#client?.end(true);
      this.#client = undefined;
      this.#worker.kill();
      await this.#worker.exited;
      this.#worker = this.#newWorker();
      await this.#startFirmware();
    })().finally(() => {
      this.#restarting = null;
    });
    return this.#restarting;
  }

  /**
   * Sends a step to the firmware. A step the caller asked for (advance, pins, inspect) that was
   * still queued for a machine a restart replaced goes to the new machine; an MQTT event for the
   * old machine's connection is dropped with it, as the connection itself is.
   */
  async #send(request: HostToNode): Promise<StepResult<unknown>> {
    for (;;) {
      if (this.#restarting) await this.#restarting;
      const worker = this.#worker;
      const result = await this.#command(request).catch((error: Error) => error);
      // The firmware asked to restart during that step: replace the machine before anything else runs.
      if (this.#restartRequested && !this.#restarting) await this.#restart();
      if (!(result instanceof Error)) return result;
      if (worker === this.#worker || request.op === "mqtt") throw result;
    }
  }

  async #command(request: HostToNode): Promise<StepResult<unknown>> {
    const { bytes, meter } = await this.#worker.command(encoder.encode(JSON.stringify(request)));
    const reply = JSON.parse(decoder.decode(bytes)) as HostReply;
    if (!reply.ok) throw new Error(`node ${this.nodeId} refused ${request.op}: ${reply.error}`);
    return { value: reply.value, meter };
  }

  #notify(request: HostToNode): void {
    if (this.#worker.alive) this.#send(request).catch((error: Error) => this.#log("error", error.message));
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
      case "ota.slot.begin":
        return this.#partitions().begin(request.byteLength);
      case "ota.slot.write":
        return this.#partitions().write(request.offset, Buffer.from(request.data, "base64"));
      case "ota.slot.read":
        return Buffer.from(this.#partitions().read(request.offset, request.length)).toString("base64");
      case "ota.slot.activate":
        return this.#partitions().activate();
      case "ota.slot.abort":
        return this.#partitions().abort();
      case "ota.boot.state":
        return this.#partitions().runningState();
      case "ota.boot.markValid":
        return this.#partitions().markValid();
      case "ota.boot.rollback":
        this.#partitions().markInvalid();
        this.#restartRequested = true;
        return;
      case "ota.boot.restart":
        this.#restartRequested = true;
        return;
      case "mqtt.close":
        // A clean DISCONNECT: the broker discards the last will, as for a node shut down on purpose.
        this.#client?.end(false);
        this.#client = undefined;
        return;
    }
  }

  #partitions(): SimPartitions {
    if (!this.#options.partitions) throw new Error("this simulated node has no OTA partitions");
    return this.#options.partitions;
  }

  #connect(options: Extract<NodeToHost, { op: "mqtt.connect" }>["options"]): void {
    this.#client?.end(true);
    if (this.#image?.header.defect === "no-connect") {
      // A broken build: its connection never comes up.
      this.#client = undefined;
      setImmediate(() => this.#notify({ op: "mqtt", event: "disconnected", reason: "connection refused (simulated defect in this image)" }));
      return;
    }
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
