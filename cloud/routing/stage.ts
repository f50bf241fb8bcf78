import type { AlarmFeed } from "../alarms/alarm-feed";
import type { Db } from "../db/client";
import { IncidentActions } from "../incidents/actions";
import type { CapOptions } from "../incidents/cap/cap";
import { DEFAULT_INCIDENT_CONFIG, type IncidentConfig } from "../incidents/config";
import { RoutingDirectory } from "./directory";
import { IncidentDesk } from "../incidents/desk";
import type { Logger } from "../log";
import { ConsoleHub } from "../notify/channels/console-hub";
import { Notifier, type NotifierDeps, type RetryPolicy } from "../notify/notifier";
import { ensureVapidKeys, type VapidKeys } from "../notify/push/vapid-keys";
import { webPushChannel, type PushTarget } from "../notify/push/web-push-channel";
import type { ProviderChannel, RobotAddress, RobotKind } from "../notify/providers/channel";
import { robotChannels } from "../notify/providers/robot-channel";
import { RateLimiter } from "../reports/rate-limiter";
import type { Scheduler } from "../time/scheduler";
import type { Urgency } from "../time/urgency";

export interface RoutingOptions {
  db: Db;
  feed: AlarmFeed;
  log: Logger;
  scheduler: Scheduler;
  /** Marked while the incident desk has alarms in hand (cloud/time/urgency.ts). */
  urgency?: Urgency;
  /** The VAPID pair from the environment (null: made once and kept in the database) and its contact. */
  webPush?: { keys: VapidKeys | null; subject: string };
  /** Replaces the Web Push channel (a test's recorder); null turns push off. */
  push?: ProviderChannel<PushTarget> | null;
  /** Lets browsers subscribe with a plain-HTTP push endpoint on this machine (tests' push service only). */
  allowLoopbackPushEndpoints?: boolean;
  /** The SMS and voice providers (cloud/notify/providers/); without one, those deliveries are stored as unreachable. */
  sms?: NotifierDeps["channels"]["sms"];
  voice?: NotifierDeps["channels"]["voice"];
  /** This instance's name, which leases the deliveries it works (default "local"). */
  instanceId?: string;
  fetch?: typeof fetch;
  config?: Partial<IncidentConfig>;
  webhookRetry?: RetryPolicy;
  /** Retry policies per channel (sms, voice, chat …). */
  retry?: NotifierDeps["retry"];
  /** Where resident photos are kept (`<dataDir>/reports/`). */
  dataDir: string;
  cap?: Partial<Omit<CapOptions, "utcOffsetMinutes">>;
  /** Reports a reporter may file, and status look-ups a client may make, per hour. */
  reportsPerHour?: number;
  statusLookupsPerHour?: number;
}

/** Everything after the ingest: incidents, routing, channels. One per cloud instance. */
export interface RoutingStage {
  db: Db;
  log: Logger;
  scheduler: Scheduler;
  config: IncidentConfig;
  hub: ConsoleHub;
  notifier: Notifier;
  /** The group-chat robots' adapters, by kind (also used by the admin's "send a test message"). */
  robots: Record<RobotKind, ProviderChannel<RobotAddress>>;
  /** The VAPID public key browsers subscribe with. */
  pushPublicKey(): Promise<string>;
  allowLoopbackPushEndpoints: boolean;
  desk: IncidentDesk;
  actions: IncidentActions;
  dataDir: string;
  cap: Omit<CapOptions, "utcOffsetMinutes">;
  reportLimiter: RateLimiter;
  statusLimiter: RateLimiter;
  /** Re-arms timers from the database and starts taking alarms from the feed. */
  start(): Promise<void>;
  stop(): void;
}

export function createRoutingStage(options: RoutingOptions): RoutingStage {
  const config = { ...DEFAULT_INCIDENT_CONFIG, ...options.config };
  const { db, log, scheduler } = options;
  const hub = new ConsoleHub();
  const robots = robotChannels({ fetch: options.fetch });
  let vapid: Promise<VapidKeys> | undefined;
  const vapidKeys = () => (vapid ??= ensureVapidKeys(db, options.webPush?.keys ?? null, options.webPush?.subject ?? "mailto:admin@shouwang.invalid", scheduler.now()));
  const push = options.push === undefined ? webPushChannel(vapidKeys, { fetch: options.fetch }) : options.push;
  // One directory for the desk's rounds and the notifier's webhooks.
  const directory = new RoutingDirectory(db);
  const notifier = new Notifier({
    db,
    directory,
    scheduler,
    log,
    hub,
    instanceId: options.instanceId ?? "local",
    channels: { sms: options.sms ?? null, voice: options.voice ?? null, robots, push },
    fetch: options.fetch,
    retry: { ...options.retry, ...(options.webhookRetry && { webhook: options.webhookRetry }) },
  });
  const desk = new IncidentDesk({ db, scheduler, log, notifier, config, urgency: options.urgency, directory });
  notifier.onUnreached = (round) => desk.roundUnreached(round);
  const actions = new IncidentActions({ db, scheduler, notifier, desk, config });
  let detach: (() => void) | undefined;
  return {
    db,
    log,
    scheduler,
    config,
    hub,
    notifier,
    robots,
    pushPublicKey: async () => (await vapidKeys()).publicKey,
    allowLoopbackPushEndpoints: options.allowLoopbackPushEndpoints ?? false,
    desk,
    actions,
    dataDir: options.dataDir,
    cap: { sender: "shouwang@localhost", senderName: "守望 Shouwang", ...options.cap },
    reportLimiter: new RateLimiter({ capacity: 3, perHour: options.reportsPerHour ?? 6, now: scheduler.now }),
    statusLimiter: new RateLimiter({ capacity: 20, perHour: options.statusLookupsPerHour ?? 120, now: scheduler.now }),
    async start() {
      detach ??= desk.attach(options.feed);
      // Deliveries first: a round the desk takes up again then finds its rows and adds none twice.
      await notifier.resume();
      await desk.start();
    },
    stop() {
      detach?.();
      desk.stop();
      notifier.close();
    },
  };
}
