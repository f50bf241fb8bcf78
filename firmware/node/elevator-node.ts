import type { ElevatorEvent, ElevatorState, ReleasedBy } from "../../shared/events";
import type { SensorState } from "../../shared/messages";
import { HeldOutput, pulseDriveProblem, type OutputDrive } from "../actuators/held-output";
import { DfPlayerMini } from "../drivers/dfplayer-mini";
import { elevatorConfigProblem, type ElevatorNodeConfig } from "../elevator/config";
import { LockController, LOCK_HOLDING, newLockInputs, STEP_ARMED, STEP_HOLD_ENDED, STEP_HOLD_STARTED } from "../elevator/lock-controller";
import { LockCounts } from "../elevator/lock-counts";
import { Debouncer, DEBOUNCE_FELL, DEBOUNCE_ROSE } from "../inputs/debouncer";
import { HeartbeatMonitor } from "../inputs/heartbeat-monitor";
import type { CommandReply } from "../link/commands";
import { startLink, type Link } from "../link/link";
import { DEFAULT_HEALTH_INTERVAL_MS, DEFAULT_OUTBOX_SLOTS } from "../link/link-config";
import type { DeviceEventFields, Uplink } from "../link/uplink";
import { nodeUpdates } from "../ota/node-updates";
import type { OtaAgent } from "../ota/ota-agent";
import type { DigitalPort } from "../ports/io";
import type { Platform } from "../ports/platform";

/** How the board drives its held outputs (from the board definition). */
export interface ElevatorBoard {
  outputDrive: { relayLock: OutputDrive; warningLight: OutputDrive };
}

export interface ElevatorNode {
  readonly uplink: Uplink;
  readonly link: Link;
  readonly ticks: number;
  /** Present when the node takes over-the-air updates. */
  readonly ota: OtaAgent | undefined;
  state(): ElevatorState;
  stop(): void;
}

/** Flash keys (NVS: at most 15 characters). */
const HOLD_MARKER = "lock.hold";
const ENABLED = "lock.enabled";

const DETECTOR_UNKNOWN = 0;
const DETECTOR_OK = 1;
const DETECTOR_LOST = 2;

/**
 * An elevator car's e-bike lock. Pins (board names): `ebikeDetect` (high: the detector sees an
 * e-bike), `detectorAlive` (the detector's heartbeat, toggling), `maintenanceKey` (high: key
 * turned, or its wire cut), `relayLock` and `warningLight` (held outputs), `voiceTx` (DFPlayer
 * Mini), and optionally `relaySense` (high: the relay's second pole is closed).
 *
 * Every tick reads the inputs, steps the lock controller and drives the outputs from its answer;
 * the relay is held only by that tick's pulse train. Per tick nothing is allocated; messages are
 * built only when something happens. Events, alarms and acks go through the link's persistent
 * outbox; `enable`, `disable` and `self-test` arrive through its command inbox.
 */
export function startElevatorNode(platform: Platform, config: ElevatorNodeConfig, board: ElevatorBoard, random: () => number): ElevatorNode {
  const problem =
    elevatorConfigProblem(config) ??
    pulseDriveProblem(board.outputDrive.relayLock, config.tickMs) ??
    pulseDriveProblem(board.outputDrive.warningLight, config.tickMs) ??
    senseSettleProblem(board.outputDrive.relayLock, config.relaySenseSettleMs);
  if (problem) throw new Error(`config refused: ${problem}`);
  const { clock, timers, device, storage } = platform;
  const { Digital, Serial } = device.io;
  const pin = device.pin;
  for (const name of ["ebikeDetect", "detectorAlive", "maintenanceKey", "relayLock", "warningLight", "voiceTx"]) {
    if (pin[name] === undefined) throw new Error(`config refused: the board has no ${name} pin`);
  }

  // Outputs first, released, before anything else can run: a boot is a release.
  const relay = new HeldOutput({ io: Digital, pin: pin.relayLock, drive: board.outputDrive.relayLock });
  const light = new HeldOutput({ io: Digital, pin: pin.warningLight, drive: board.outputDrive.warningLight });
  if (board.outputDrive.relayLock.drive === "level") platform.log("warn", "relayLock is level-driven: a hung CPU would keep it held. Bench use only.");
  const voice = new DfPlayerMini({ io: Serial, transmit: pin.voiceTx, port: config.voice.uartPort });
  voice.stop();
  voice.volume(config.voice.volume);

  const ebikeIn = new Digital({ pin: pin.ebikeDetect, mode: Digital.Input });
  const aliveIn = new Digital({ pin: pin.detectorAlive, mode: Digital.Input });
  const keyIn = new Digital({ pin: pin.maintenanceKey, mode: Digital.InputPullUp });
  const senseIn: DigitalPort | undefined = pin.relaySense === undefined ? undefined : new Digital({ pin: pin.relaySense, mode: Digital.Input });

  const counts = new LockCounts(storage);
  const controller = new LockController({ maxHoldMs: config.maxHoldMs });
  const ebike = new Debouncer({ riseMs: config.confirmMs, fallMs: config.clearMs });
  const key = new Debouncer({ riseMs: config.keyDebounceMs });
  const heartbeat = new HeartbeatMonitor({ timeoutMs: config.detectorTimeoutMs });
  const inputs = newLockInputs();
  inputs.enabled = storage.get(ENABLED) !== "0";

  let detector = DETECTOR_UNKNOWN;
  let started = false;
  let maxHoldAlarm = false;
  let relayFault = false;
  let senseMismatchSinceMs = -1;
  let lastPromptMs = 0;
  let lightTestUntilMs = -1;
  let ticks = 0;
  const bootMs = clock.now();

  const updates = nodeUpdates(config.nodeId, config.firmwareVersion, config.ota, platform);
  const link = startLink({
    platform,
    nodeId: config.nodeId,
    kind: "elevator",
    firmwareVersion: config.firmwareVersion,
    mqtt: config.mqtt,
    healthIntervalMs: config.healthIntervalMs ?? DEFAULT_HEALTH_INTERVAL_MS,
    outboxSlots: config.outboxSlots ?? DEFAULT_OUTBOX_SLOTS,
    random,
    sensors,
    handlers: { enable, disable, selfTest, relayTest: refuseRelayTest },
    attachment: updates.attachment,
  });
  const { bootId, uplink, log } = link;
  // Never switch while a car is held or a lock alarm stands; a new image must tick, see its
  // detector and keep its relay answering its drive to be kept.
  const ota = updates.start(link, {
    busy: () =>
      controller.holding ? "lock holding a car" : maxHoldAlarm ? "max-hold alarm active" : relayFault ? "relay-fault alarm active" : detector === DETECTOR_LOST ? "detector-lost alarm active" : null,
    healthy: () => uplink.connected && ticks > 0 && detector === DETECTOR_OK && !relayFault,
  });

  const state = (): ElevatorState => ({
    kind: "elevator",
    lock: controller.holding ? "held" : "released",
    enabled: inputs.enabled,
    detector: detector === DETECTOR_LOST ? "lost" : "ok",
    override: inputs.override,
    ebike: inputs.ebike,
  });
  const event = (name: ElevatorEvent, extra?: Omit<DeviceEventFields, "state">) => uplink.event(name, undefined, { state: state(), ...extra });

  // A hold that was running when the node last stopped (crash, watchdog, power): the relay dropped
  // with the reset; say so, and let the controller start disarmed so the car must clear first.
  const interrupted = storage.get(HOLD_MARKER);
  if (interrupted !== undefined) {
    storage.delete(HOLD_MARKER);
    counts.released("fault", 0);
    counts.save();
    event("hold-end", { releasedBy: "fault", cause: "reset" });
    log("warn", `a hold was interrupted by a restart (boot ${interrupted}); the relay is released`);
  }

  const endHold = (by: ReleasedBy, heldMs: number, cause?: string) => {
    relay.set(false);
    light.set(false);
    voice.stop();
    storage.delete(HOLD_MARKER);
    counts.released(by, heldMs);
    counts.save();
    event("hold-end", { durationMs: heldMs, releasedBy: by, cause });
    if (by === "max-hold") {
      maxHoldAlarm = true;
      uplink.alarm({ kind: "lock-max-hold", severity: "warning", state: "raised", value: Math.round(heldMs / 1000), unit: "s", threshold: Math.round(config.maxHoldMs / 1000) });
    }
  };

  const tick = () => {
    const now = clock.now();
    ticks++;
    const ebikeChange = ebike.update(ebikeIn.read(), now);
    const keyChange = key.update(keyIn.read(), now);
    heartbeat.update(aliveIn.read(), now);

    const alive = heartbeat.alive(now);
    if (alive && detector !== DETECTOR_OK) {
      const was = detector;
      detector = DETECTOR_OK;
      if (was === DETECTOR_LOST) {
        event("detector-restored");
        uplink.alarm({ kind: "detector-lost", severity: "warning", state: "cleared", value: 0, unit: "ms", threshold: config.detectorTimeoutMs });
      }
    } else if (!alive && detector !== DETECTOR_LOST && (detector === DETECTOR_OK || now - bootMs >= config.detectorTimeoutMs)) {
      detector = DETECTOR_LOST;
      const silentMs = heartbeat.silentForMs(now);
      if (started) event("detector-lost");
      uplink.alarm({ kind: "detector-lost", severity: "warning", state: "raised", value: silentMs < 0 ? now - bootMs : silentMs, unit: "ms", threshold: config.detectorTimeoutMs });
    }

    inputs.ready = ebike.settled && key.settled && detector !== DETECTOR_UNKNOWN;
    inputs.ebike = ebike.level === 1;
    inputs.override = key.level === 1;
    inputs.fault = detector === DETECTOR_LOST || relayFault;
    if (ebikeChange === DEBOUNCE_ROSE && (!inputs.enabled || inputs.override)) counts.detectedWhileDisabled++;

    if (!started && inputs.ready) {
      started = true;
      event("started");
    }
    if (keyChange === DEBOUNCE_ROSE) event("override-on");
    else if (keyChange === DEBOUNCE_FELL) event("override-off");

    const step = controller.step(now, inputs);
    if (step === STEP_HOLD_STARTED) {
      counts.blockedAttempts++;
      relay.set(true);
      light.set(true);
      voice.play(config.voice.promptTrack);
      lastPromptMs = now;
      storage.set(HOLD_MARKER, String(bootId));
      event("hold-start");
    } else if (step === STEP_HOLD_ENDED) {
      endHold(controller.releasedBy, controller.heldMs, controller.releasedBy === "fault" ? (relayFault ? "relay-sense" : "detector-lost") : undefined);
    } else if (step === STEP_ARMED && maxHoldAlarm) {
      maxHoldAlarm = false;
      uplink.alarm({ kind: "lock-max-hold", severity: "warning", state: "cleared", value: 0, unit: "s", threshold: Math.round(config.maxHoldMs / 1000) });
    }

    if (controller.mode === LOCK_HOLDING && now - lastPromptMs >= config.promptRepeatMs) {
      // Played once per period rather than looped by the module: a hung CPU goes silent.
      voice.play(config.voice.promptTrack);
      lastPromptMs = now;
    }
    if (lightTestUntilMs >= 0 && now >= lightTestUntilMs) {
      lightTestUntilMs = -1;
      if (!controller.holding) light.set(false);
    }

    if (senseIn) checkRelaySense(senseIn.read(), now);
    relay.refresh();
    light.refresh();
  };

  // The relay's second pole, read back: a relay that does not follow its drive (welded contact,
  // dead coil, driver stuck on) is a fault the lock must not work around silently.
  const checkRelaySense = (sensed: number, now: number) => {
    const agrees = (sensed ? 1 : 0) === (relay.on ? 1 : 0);
    if (agrees) {
      senseMismatchSinceMs = -1;
      if (relayFault) {
        relayFault = false;
        uplink.alarm({ kind: "relay-fault", severity: "alarm", state: "cleared", value: sensed ? 1 : 0, unit: "level", threshold: relay.on ? 1 : 0 });
      }
      return;
    }
    if (senseMismatchSinceMs < 0) senseMismatchSinceMs = now;
    if (!relayFault && now - senseMismatchSinceMs >= config.relaySenseSettleMs) {
      relayFault = true;
      log("error", `relay sense reads ${sensed ? "closed" : "open"} while the relay is ${relay.on ? "driven" : "released"}`);
      uplink.alarm({ kind: "relay-fault", severity: "alarm", state: "raised", value: sensed ? 1 : 0, unit: "level", threshold: relay.on ? 1 : 0 });
    }
  };

  // Function declarations: the link is handed them before the rest of this scope has run.
  function enable(): CommandReply {
    if (inputs.enabled) return { result: "ok", detail: "already enabled" };
    inputs.enabled = true;
    storage.set(ENABLED, "1");
    event("lock-enabled");
    return { result: "ok", detail: "enabled" };
  }

  function disable(): CommandReply {
    if (!inputs.enabled) return { result: "ok", detail: "already disabled" };
    const wasHolding = controller.holding;
    inputs.enabled = false;
    storage.set(ENABLED, "0");
    tick();
    event("lock-disabled");
    return { result: "ok", detail: wasHolding ? "disabled; the hold was released" : "disabled" };
  }

  // Holding the relay on command would hold a car with nobody's e-bike in it.
  function refuseRelayTest(): string {
    return "the lock relay is never pulled on command; self-test checks its sense contact";
  }

  function sensors(): Record<string, SensorState> {
    return {
      detector: detector === DETECTOR_UNKNOWN ? "unknown" : detector === DETECTOR_LOST ? "fault" : "ok",
      relay: relayFault ? "fault" : "ok",
    };
  }

  function selfTest(): CommandReply {
    const now = clock.now();
    const findings: string[] = [];
    let ok = true;
    if (heartbeat.alive(now)) findings.push("detector alive");
    else {
      ok = false;
      findings.push(`detector silent ${heartbeat.silentForMs(now) < 0 ? "since boot" : `for ${heartbeat.silentForMs(now)} ms`}`);
    }
    findings.push(inputs.override ? "maintenance key ON" : "maintenance key off");
    findings.push(inputs.enabled ? "lock enabled" : "lock disabled");
    findings.push(controller.holding ? "relay held" : "relay released");
    if (senseIn) {
      const agrees = (senseIn.read() ? 1 : 0) === (relay.on ? 1 : 0);
      if (!agrees) ok = false;
      findings.push(agrees ? "relay sense agrees" : "relay sense DISAGREES");
    } else findings.push("no relay sense");
    if (!controller.holding) {
      light.set(true);
      lightTestUntilMs = now + 1000;
      voice.play(config.voice.selfTestTrack);
      findings.push("light and chime tested");
    }
    return { result: ok ? "ok" : "failed", detail: findings.join("; ") };
  }

  const tickTimer = timers.repeat(tick, config.tickMs);
  const countsTimer = timers.repeat(() => {
    uplink.event("daily-counts", counts.toRecord(), { state: state() });
    counts.reset();
  }, config.countsIntervalMs);

  log("info", `elevator node ${config.nodeId} started, boot ${bootId}, lock ${inputs.enabled ? "enabled" : "disabled"}`);

  return {
    uplink,
    link,
    get ticks() {
      return ticks;
    },
    state,
    ota,
    stop() {
      ota?.stop();
      timers.clear(tickTimer);
      timers.clear(countsTimer);
      relay.close();
      light.close();
      voice.stop();
      voice.close();
      ebikeIn.close();
      aliveIn.close();
      keyIn.close();
      senseIn?.close();
      link.stop();
    },
  };
}

/** A pulse-held relay drops up to `holdMs` after its last pulse; its sense contact must be given that long. */
function senseSettleProblem(drive: OutputDrive, settleMs: number): string | null {
  if (drive.drive === "pulse" && settleMs < drive.holdMs + 200) return `relaySenseSettleMs must be at least holdMs + 200 (${drive.holdMs + 200}) for a pulse-held relay`;
  return null;
}
