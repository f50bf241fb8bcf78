import type { AlarmFeed } from "../alarms/alarm-feed";
import type { Db } from "../db/client";
import { IncidentActions } from "../incidents/actions";
import type { CapOptions } from "../incidents/cap/cap";
import { DEFAULT_INCIDENT_CONFIG, type IncidentConfig } from "../incidents/config";
import { IncidentDesk } from "../incidents/desk";
import type { Logger } from "../log";
import { ConsoleHub } from "../notify/channels/console-hub";
import type { SmsVoiceAdapter } from "../notify/channels/sms-voice";
import { Notifier, type AppPublish, type RetryPolicy } from "../notify/notifier";
import type { ProviderChannel, RobotAddress, RobotKind } from "../notify/providers/channel";
import { robotChannels } from "../notify/providers/robot-channel";
import { RateLimiter } from "../reports/rate-limiter";
import type { Scheduler } from "../time/scheduler";

export interface RoutingOptions {
  db: Db;
  feed: AlarmFeed;
  log: Logger;
  scheduler: Scheduler;
  appPublish: AppPublish | null;
  smsVoice?: SmsVoiceAdapter | null;
  fetch?: typeof fetch;
  config?: Partial<IncidentConfig>;
  webhookRetry?: RetryPolicy;
  appRetry?: RetryPolicy;
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
  const notifier = new Notifier({
    db,
    scheduler,
    log,
    hub,
    appPublish: options.appPublish,
    smsVoice: options.smsVoice ?? null,
    fetch: options.fetch,
    webhookRetry: options.webhookRetry,
    appRetry: options.appRetry,
  });
  const desk = new IncidentDesk({ db, scheduler, log, notifier, config });
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
    desk,
    actions,
    dataDir: options.dataDir,
    cap: { sender: "shouwang@localhost", senderName: "守望 Shouwang", ...options.cap },
    reportLimiter: new RateLimiter({ capacity: 3, perHour: options.reportsPerHour ?? 6, now: scheduler.now }),
    statusLimiter: new RateLimiter({ capacity: 20, perHour: options.statusLookupsPerHour ?? 120, now: scheduler.now }),
    async start() {
      detach ??= desk.attach(options.feed);
      await desk.start();
    },
    stop() {
      detach?.();
      desk.stop();
      notifier.close();
    },
  };
}
