import { randomBytes } from "node:crypto";
import { esp32DevkitC, type BoardDefinition } from "../../../../hardware/boards";
import { sensorCalibration } from "../../../../hardware/calibration";
import type { CommandMessage } from "../../../../shared/messages";
import type { CapsuleNodeConfig } from "../../../capsule/config";
import type { NodeConfig } from "../../../config";
import type { ElevatorNodeConfig } from "../../../elevator/config";
import type { SensorNodeConfig } from "../../../node/sensor-node";
import type { NodeKind } from "../../../../shared/node-kinds";
import type { CommandOutcome, HostReply, HostToNode, NodeInspection, NodeToHost, SimClaim, SimNodeKind, SimOutputs } from "../protocol";
import type { WaveformSpec } from "../sim-io";
import { bundleForXs, firmwarePath } from "./bundle";
import { MqttBridge } from "./mqtt-bridge";
import { SimFlash } from "./sim-flash";
import type { BootedImage, SimPartitions } from "./sim-partitions";
import { XsWorker, type XsMeter } from "./xs-worker";

export interface SimNodeOptions {
  /** Which firmware to boot; a smoke node unless said otherwise. The config must be of that kind. */
  kind?: SimNodeKind;
  /** The node's settings; with `claim`, its nodeId and MQTT credentials come from the claim instead. */
  config: NodeConfig | SensorNodeConfig | ElevatorNodeConfig | CapsuleNodeConfig;
  /**
   * Boot blank, with only a batch's claim credential; the node starts its `kind` once claimed.
   * Board defaults to the simulated board's id, kind to the hardware kind of `kind`.
   */
  claim?: Omit<SimClaim, "board" | "kind"> & { board?: string; kind?: NodeKind };
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
  /** Why this boot happened, as the chip would say (`power-on`, `panic`, …). Default `power-on`. */
  resetReason?: string;
  /**
   * Free heap of the simulated chip before the firmware's own objects: the heartbeat reports this
   * minus what XS holds beyond the engine and the loaded code. Default 160 KB.
   */
  heapBytes?: number;
  onLog?: (level: string, message: string) => void;
  /** Called when the node hands a message to MQTT, with the host's clock, for latency measurements. */
  onPublish?: (topic: string, payload: string, atMs: number) => void;
  /** Called at each connection attempt the firmware makes, with the host's clock. */
  onConnectAttempt?: (atMs: number) => void;
  /**
   * The node's app slots; with them the host plays the bootloader: each boot starts the image it
   * selects (whose version becomes the firmware's), and the firmware can update itself, restart
   * into the new image and roll back. `config.ota` must be set too.
   */
  partitions?: SimPartitions;
}

export interface StepResult<T> {
  value: T;
  meter: XsMeter;
}

/** One XS slot on the ESP32's 32-bit build (xsnap-worker's 64-bit slots are twice that). */
const SLOT_BYTES = 16;
/**
 * How often (node time) the host collects the XS machine's garbage to learn what it really holds.
 * The meter's `currentHeapCount` counts every slot allocated since the last collection, garbage
 * included, and xsnap's heap is so large that it seldom collects by itself: read as "used", that
 * count grew past the budget within minutes and every simulated node reported 0 bytes free.
 */
const COLLECT_EVERY_MS = 30_000;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A simulated node: its firmware runs in a real XS machine (xsnap-worker), its pins are set by
 * the caller, its clock moves when the caller says, and its MQTT session is bridged to a real
 * broker. Its flash lives here, in the host, so it outlives the XS machine: `kill()` is a power
 * cut, and a node booted again on the same flash finds its outbox as it was. When the firmware
 * restarts itself (a reboot command), the host ends the XS machine and boots a new one.
 * Every step returns XS's meter.
 */
export class SimNode {
  readonly nodeId: string;
  readonly flash: SimFlash;
  #options: SimNodeOptions;
  #worker: XsWorker;
  #bridge: MqttBridge;
  #realtime: NodeJS.Timeout | undefined;
  #pins: Record<string, number> = {};
  /** Peripherals' pulse trains by pin name: they keep running through a restart of the chip. */
  #pulses: Record<string, number> = {};
  #waveforms = new Map<string, WaveformSpec>();
  #i2c = new Map<number, Record<number, number>>();
  #resetReason: string;
  #lastMeter: XsMeter | undefined;
  /** Live slots once the firmware's code is loaded: the engine and the code, in flash on a device. */
  #baseSlots = 0;
  #rssiDbm = -62;
  #restartRequested = false;
  #restarting: Promise<void> | undefined;
  #boots = 0;
  #image: BootedImage | undefined;
  /** The network was taken down because the booted image is a broken build that never connects. */
  #imageOffline = false;
  /** Live heap slots after the latest garbage collection, and the node time since it. */
  #liveSlots: number | undefined;
  #sinceCollectMs = 0;

  private constructor(options: SimNodeOptions) {
    this.#options = options;
    // A claimed node's id is its serial, so the name holds before and after the claim.
    this.nodeId = options.claim?.serial ?? options.config.nodeId;
    this.flash = options.flash ?? new SimFlash();
    this.#resetReason = options.resetReason ?? "power-on";
    this.#bridge = new MqttBridge({
      brokerUrl: options.brokerUrl,
      protocolVersion: options.protocolVersion,
      onPublish: options.onPublish,
      onAttempt: options.onConnectAttempt,
      notify: (event) => this.#notify({ op: "mqtt", ...event }),
    });
    this.#worker = this.#newWorker();
  }

  static async boot(options: SimNodeOptions): Promise<SimNode> {
    const node = new SimNode(options);
    try {
      await node.#bootFirmware();
    } catch (error) {
      node.kill();
      throw error;
    }
    return node;
  }

  get worker(): XsWorker {
    return this.#worker;
  }

  /** Times the firmware has booted in this SimNode (1 after `boot`, +1 per restart). */
  get boots(): number {
    return this.#boots;
  }

  get networkUp(): boolean {
    return this.#bridge.networkUp;
  }

  /** The image the simulated bootloader started at the latest boot, when the node has partitions. */
  get image(): BootedImage | undefined {
    return this.#image;
  }

  /**
   * Power cut and power back: the XS machine and its connection end without a goodbye, and the
   * bootloader starts whichever image its rules select. Flash, partitions and pin levels stay.
   */
  async powerCycle(): Promise<void> {
    await this.settled();
    this.#restarting = this.#restart("power-on").finally(() => (this.#restarting = undefined));
    await this.#restarting;
  }

  setPins(values: Record<string, number>): Promise<StepResult<unknown>> {
    Object.assign(this.#pins, values);
    for (const name of Object.keys(values)) delete this.#pulses[name];
    return this.#send({ op: "pins", values });
  }

  /** A synthesized waveform on a named pin (a CT clamp's or residual-current transformer's output); null for a plain level again. */
  setWaveform(pin: string, waveform: WaveformSpec | null): Promise<StepResult<unknown>> {
    if (waveform) this.#waveforms.set(pin, waveform);
    else this.#waveforms.delete(pin);
    return this.#send({ op: "waveform", pin, waveform });
  }

  /** Attaches an I2C target with these 16-bit registers, or with null removes it. */
  setI2c(address: number, registers: Record<number, number> | null): Promise<StepResult<unknown>> {
    if (registers) this.#i2c.set(address, { ...(this.#i2c.get(address) ?? {}), ...registers });
    else this.#i2c.delete(address);
    return this.#send({ op: "i2c", address, registers });
  }

  /** Hands a sensor node a new sensing config; resolves with the reason it was refused, or null. */
  async applySensing(config: unknown): Promise<string | null> {
    return (await this.#send({ op: "sensing", config })).value as string | null;
  }

  /** Moves the node's clock forward, running every timer that falls due. */
  async advance(ms: number): Promise<StepResult<number>> {
    const result = (await this.#send({ op: "advance", ms })) as StepResult<number>;
    this.#sinceCollectMs += ms;
    if (this.#sinceCollectMs >= COLLECT_EVERY_MS) await this.#collect();
    return result;
  }

  async inspect(): Promise<NodeInspection> {
    return (await this.#send({ op: "inspect" })).value as NodeInspection;
  }

  /** Wi-Fi lost (the connection dies without a goodbye, attempts fail) or back. */
  setNetwork(up: boolean): void {
    this.#bridge.setNetwork(up);
  }

  setRssi(dbm: number): void {
    this.#rssiDbm = dbm;
  }

  /** Makes a peripheral toggle a pin every `halfPeriodMs` of the node's time (null stops it). */
  setPulses(values: Record<string, number | null>): Promise<StepResult<unknown>> {
    for (const [name, halfPeriodMs] of Object.entries(values)) {
      if (halfPeriodMs === null) delete this.#pulses[name];
      else this.#pulses[name] = halfPeriodMs;
    }
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

  /**
   * Hands a command to the firmware's command inbox as if it came on the node's `cmd` topic
   * (decoded, de-duplicated, carried out, acked through the outbox); resolves with the ack's body.
   */
  async command(command: CommandMessage): Promise<CommandOutcome> {
    return (await this.#send({ op: "command", command })).value as CommandOutcome;
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

  /** Resolves once a restart the firmware asked for has completed. */
  async settled(): Promise<void> {
    while (this.#restarting) await this.#restarting;
  }

  /** Power cut: the XS machine and its connection end at once, without a goodbye. */
  kill(): void {
    this.stopRealtime();
    this.#worker.kill();
    this.#bridge.kill();
  }

  async stop(): Promise<void> {
    this.stopRealtime();
    await this.settled().catch(() => undefined);
    if (this.#worker.alive) {
      await this.#send({ op: "stop" }).catch(() => undefined);
      await this.#worker.close();
    }
    this.#bridge.close();
  }

  #partitions(): SimPartitions {
    if (!this.#options.partitions) throw new Error("this simulated node has no OTA partitions");
    return this.#options.partitions;
  }

  #newWorker(): XsWorker {
    return new XsWorker({ name: this.nodeId, onIssue: (request) => this.#onIssue(request) });
  }

  async #bootFirmware(): Promise<void> {
    const loaded = await this.#worker.evaluate(await bundleForXs(firmwarePath("platform/sim/runtime.ts")));
    this.#baseSlots = loaded.meter.currentHeapCount;
    this.#liveSlots = undefined;
    let config = this.#options.config;
    const partitions = this.#options.partitions;
    if (partitions) {
      if (!("ota" in config) || !config.ota) throw new Error("a simulated node with partitions needs config.ota");
      this.#image = partitions.selectBoot();
      config = { ...config, firmwareVersion: this.#image.header.version };
      // A broken build (defect "no-connect") never reaches the broker; the next good image does again.
      const broken = this.#image.header.defect === "no-connect";
      if (broken) this.#bridge.setNetwork(false);
      else if (this.#imageOffline) this.#bridge.setNetwork(true);
      this.#imageOffline = broken;
    }
    // Pins keep their levels through a restart: the firmware finds them there at power-on.
    const levels = { ...this.#options.levels, ...this.#pins };
    const ota = partitions ? { capacityBytes: partitions.capacityBytes } : undefined;
    await this.#command(bootRequest({ ...this.#options, config }, (this.#options.seed ?? 1) + this.#boots * 7919, levels, ota));
    if (Object.keys(this.#pulses).length > 0) await this.#command({ op: "pulses", values: this.#pulses });
    // What the host wired survives a restart, as the hardware does.
    for (const [pin, waveform] of this.#waveforms) await this.#command({ op: "waveform", pin, waveform });
    for (const [address, registers] of this.#i2c) await this.#command({ op: "i2c", address, registers });
    await this.#collect();
    this.#boots++;
  }

  /** Runs XS's garbage collector (xsnap's `gc()`) and keeps the live slot count it leaves. */
  async #collect(): Promise<void> {
    this.#sinceCollectMs = 0;
    if (!this.#worker.alive) return;
    const { meter } = await this.#worker.evaluate("gc()");
    this.#liveSlots = meter.currentHeapCount;
  }

  async #restart(reason: string): Promise<void> {
    this.#worker.kill();
    this.#bridge.kill();
    await this.#worker.exited;
    this.#resetReason = reason;
    this.#worker = this.#newWorker();
    await this.#bootFirmware();
  }

  /**
   * A step the caller asked for (advance, pins, inspect) that was queued for a machine a restart
   * then replaced goes to the new machine; an MQTT event for the old machine's connection is
   * dropped with it, as the connection itself is.
   */
  async #send(request: HostToNode): Promise<StepResult<unknown>> {
    for (;;) {
      await this.settled();
      const worker = this.#worker;
      const result = await this.#command(request).catch((error: Error) => error);
      if (this.#restartRequested) {
        this.#restartRequested = false;
        this.#restarting = this.#restart("software").finally(() => (this.#restarting = undefined));
      }
      if (!(result instanceof Error)) return result;
      const replaced = worker !== this.#worker || this.#restarting !== undefined;
      if (!replaced || request.op === "mqtt") throw result;
    }
  }

  async #command(request: HostToNode): Promise<StepResult<unknown>> {
    const { bytes, meter } = await this.#worker.command(encoder.encode(JSON.stringify(request)));
    this.#lastMeter = meter;
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
      case "entropy":
        return randomBytes(request.byteLength).toString("hex");
      case "mqtt.connect":
        this.#bridge.connect(request.options);
        return;
      case "mqtt.publish":
        this.#bridge.publish(request.topic, request.payload, request.qos, request.retain, request.packetId);
        return;
      case "mqtt.subscribe":
        this.#bridge.subscribe(request.filter);
        return;
      case "mqtt.close":
        this.#bridge.close();
        return;
      case "system.info": {
        const heapBytes = this.#options.heapBytes ?? 160 * 1024;
        const used = Math.max(0, (this.#liveSlots ?? this.#lastMeter?.currentHeapCount ?? this.#baseSlots) - this.#baseSlots) * SLOT_BYTES;
        return {
          freeHeapBytes: Math.max(0, heapBytes - used),
          rssiDbm: this.#bridge.networkUp ? this.#rssiDbm : null,
          resetReason: this.#resetReason,
        };
      }
      case "system.restart":
        // The firmware's crank must finish first: the restart happens once its command returns.
        this.#restartRequested = true;
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
        // esp_ota_mark_app_invalid_rollback_and_reboot: mark, then restart like esp_restart.
        this.#partitions().markInvalid();
        this.#restartRequested = true;
        return;
    }
  }
}

/** The hardware kind (hardware/kinds/) each node program runs on: a smoke node is a sensor node. */
const HARDWARE_KIND: Record<SimNodeKind, NodeKind> = { smoke: "sensor", sensor: "sensor", elevator: "elevator", capsule: "capsule" };

function bootRequest(options: SimNodeOptions, seed: number, levels: Record<string, number>, ota?: { capacityBytes: number }): HostToNode {
  const board = options.board ?? esp32DevkitC;
  const kind = options.kind ?? "smoke";
  const claim: SimClaim | undefined = options.claim && {
    ...options.claim,
    board: options.claim.board ?? board.id,
    kind: options.claim.kind ?? HARDWARE_KIND[kind],
  };
  const base = { op: "boot" as const, seed, pins: board.pins, adcResolutionBits: board.adcResolutionBits, levels, claim, ota };
  switch (kind) {
    case "smoke":
      return { ...base, kind: "smoke", config: options.config as NodeConfig };
    case "sensor":
      return { ...base, kind: "sensor", config: options.config as SensorNodeConfig, calibration: sensorCalibration(board) };
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
