import type { SensorState } from "../../shared/messages";
import type { Entropy } from "../ports/entropy";
import type { Log } from "../ports/log";
import type { Platform } from "../ports/platform";
import { startBoot } from "./boot-counter";
import { CommandInbox, type CommandHandlers } from "./commands";
import { HealthReporter, rememberingErrors } from "./health";
import type { LinkConfig } from "./link-config";
import { Outbox } from "./outbox";
import { LinkSession } from "./session";
import { Uplink } from "./uplink";

export interface LinkOptions {
  platform: Platform;
  nodeId: string;
  /** Node kind for the heartbeat: `smoke`, `elevator`, `capsule`. */
  kind: string;
  firmwareVersion: string;
  mqtt: LinkConfig["mqtt"];
  healthIntervalMs: number;
  outboxSlots: number;
  random: () => number;
  sensors: () => Record<string, SensorState>;
  /** The kind's own commands; `reboot` is the link's. */
  handlers: CommandHandlers;
  /** Something beside the kind with topics of its own on the node's session: the OTA agent. */
  attachment?: LinkAttachment;
}

/**
 * A part of the node that talks to the cloud over the node's session on topics of its own,
 * outside the command inbox and the outbox (the OTA agent: offers and image chunks in, progress
 * reports out, each report waiting for its own PUBACK).
 */
export interface LinkAttachment {
  /** Subscribed on every connection; they must lie under the node's `cmd/` tree, which its broker account may read. */
  topics: string[];
  onConnected(): void;
  onDisconnected(): void;
  onMessage(topic: string, payload: string): void;
  onPublished(packetId: number): void;
}

export interface Link {
  readonly bootId: number;
  readonly uplink: Uplink;
  readonly session: LinkSession;
  readonly health: HealthReporter;
  readonly commands: CommandInbox;
  /** Entries an earlier boot left in the outbox, sent first. */
  readonly restored: number;
  /** The platform's log, remembering the last error for the heartbeat: the kind logs through it too. */
  readonly log: Log;
  stop(): void;
}

/** A uniform draw in [0, 1) from four random bytes. */
function unitFrom(entropy: Entropy): number {
  const bytes = new Uint8Array(4);
  entropy.fill(bytes);
  return (((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0) / 2 ** 32;
}

/** Time for the reboot's ack to reach the broker before the restart; it is in flash either way. */
const RESTART_DELAY_MS = 1000;
/** How often alarms waiting for the cloud's receipt are looked at (Uplink.checkReceipts). */
const RECEIPT_CHECK_MS = 5000;

/**
 * Everything between a node kind and the broker, the same for every kind: boot counter,
 * persistent outbox, uplink, MQTT session, heartbeat and command inbox. The kind hands in its
 * sensors' states and its command handlers, and raises alarms and events through `uplink`.
 */
export function startLink(options: LinkOptions): Link {
  const { platform, nodeId, firmwareVersion, random } = options;
  const { clock, timers, mqtt, storage, system } = platform;
  const errors = rememberingErrors(platform.log);
  const log = errors.log;

  const entropy = platform.entropy;
  const boot = startBoot(storage, entropy ? () => unitFrom(entropy) : random);
  const bootId = boot.bootId;
  const outbox = new Outbox({
    storage,
    capacity: options.outboxSlots,
    onFlashError: (error) => log("error", `outbox: flash write failed (${error.message}); the message is kept in RAM and sent from there`),
  });
  const restored = outbox.load();
  const uplink = new Uplink({ nodeId, bootId, mqtt, clock, outbox, log });
  const health = new HealthReporter({
    uplink,
    system,
    timers,
    kind: options.kind,
    firmwareVersion,
    intervalMs: options.healthIntervalMs,
    sensors: options.sensors,
    lastError: () => errors.lastError,
  });
  let restartTimer: object | undefined;
  const commands = new CommandInbox({
    nodeId,
    uplink,
    log,
    handlers: {
      ...options.handlers,
      reboot: () => {
        restartTimer ??= timers.set(() => system.restart(), RESTART_DELAY_MS);
      },
    },
  });
  const session = new LinkSession({
    mqtt,
    uplink,
    timers,
    log,
    random,
    firmwareVersion,
    credentials: { username: options.mqtt.username, password: options.mqtt.password },
    keepAliveMs: options.mqtt.keepAliveMs,
    bootSpreadMs: options.mqtt.bootSpreadMs,
    onConnected: () => {
      health.report();
      options.attachment?.onConnected();
    },
    onCommand: (topic, payload) => commands.receive(topic, payload),
    topics: options.attachment?.topics,
    onMessage: options.attachment && ((topic, payload) => options.attachment!.onMessage(topic, payload)),
    onPublished: options.attachment && ((packetId) => options.attachment!.onPublished(packetId)),
    onDisconnected: options.attachment && (() => options.attachment!.onDisconnected()),
  });

  if (boot.how === "new-era") log("warn", `no boot counter in flash (first start, or flash erased): boot ids start a new era at ${bootId}`);
  if (boot.how === "unsaved") log("error", `flash refused the boot counter: this boot runs as ${bootId}, a random era, so its messages are not taken for copies`);
  if (outbox.torn > 0) log("warn", `outbox: ${outbox.torn} slot(s) torn by a power loss were dropped`);
  const resetReason = system.resetReason();
  uplink.event("booted", { resetReason, firmware: firmwareVersion, restored });
  if (restored > 0) log("info", `outbox: ${restored} message(s) from an earlier boot go first`);
  session.start();
  health.start();
  const receiptTimer = timers.repeat(() => uplink.checkReceipts(), RECEIPT_CHECK_MS);

  return {
    bootId,
    uplink,
    session,
    health,
    commands,
    restored,
    log,
    stop() {
      timers.clear(restartTimer);
      timers.clear(receiptTimer);
      health.stop();
      session.close();
    },
  };
}
