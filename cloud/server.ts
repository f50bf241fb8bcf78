import { cloudClientIds, provisionerClientId } from "./broker/client-ids";
import { serve, type ServerType } from "@hono/node-server";
import { hostname } from "node:os";
import { AlarmFeed } from "./alarms/alarm-feed";
import { createApp } from "./app";
import { ensureFirstAdminToken } from "./auth/tokens";
import { WriteLock } from "./db/write-lock";
import { openDatabase, type Database } from "./db/client";
import { startProvisioner, type Provisioner } from "./fleet/provisioner";
import { AlarmReceipts } from "./ingest/receipts";
import { createIngest, type Ingest } from "./ingest/ingest";
import { startCommandPublisher, type CommandPublisher } from "./commands/publisher";
import { startJetStreamSubscriber, type JetStreamSubscriberOptions } from "./ingest/jetstream-subscriber";
import { startMqttIngest } from "./ingest/alarm-lane";
import { BULK_THREAD_NICER, startBulkThread, withBulkThread, type BulkThread } from "./ingest/bulk-thread";
import type { IngestSubscription } from "./ingest/subscriber";
import type { Logger } from "./log";
import { startLivenessMonitor, SWEEP_EVERY_MS, type LivenessMonitor } from "./nodes/liveness";
import { CampaignEngine, type OfferChannel } from "./ota/campaign-engine";
import { ImageStore } from "./ota/image-store";
import { startOtaService, type OtaService } from "./ota/ota-service";
import { keepReportPhotos } from "./reports/photo-retention";
import { createRoutingStage, type RoutingOptions, type RoutingStage } from "./routing/stage";
import { RETENTION_DEFAULTS, ROLLUP_EVERY_MS, startTelemetryKeeper, type RetentionSettings, type TelemetryKeeper } from "./telemetry/retention";
import { timerScheduler, type Scheduler } from "./time/scheduler";
import { Urgency } from "./time/urgency";

export interface CloudOptions {
  databaseUrl: string;
  databaseAuthToken?: string;
  mqtt: { url: string; username?: string; password?: string; protocolVersion: 4 | 5; shareGroup?: string; receiveMaximum?: number };
  /**
   * The ingest's NATS transport: node messages come from JetStream consumers that every instance
   * shares, instead of the MQTT subscription (`mqtt` then points at the cluster's MQTT listeners,
   * protocol 4, for commands and notifications).
   */
  nats?: Pick<JetStreamSubscriberOptions, "servers" | "user" | "pass" | "ackWaitMs" | "maxAckPending">;
  /** The provisioner's broker account; without it the cloud answers no claims. */
  provisioning?: { username: string; password: string };
  /** Stable per instance, so the broker keeps its session (and queued QoS 1 messages) across restarts. */
  instanceId?: string;
  /** How often the liveness sweep runs (0: never; a test calls `liveness.sweep()` itself). Default 10 s. */
  livenessEveryMs?: number;
  port: number;
  host: string;
  log: Logger;
  now?: () => number;
  /** Over-the-air updates: images under `dataDir`, accepted only signed by one of `releaseKeys`. */
  ota?: { dataDir: string; releaseKeys: string[]; tickMs?: number; reofferMs?: number };
  /** Resident photos go under `<dataDir>/reports`. */
  dataDir?: string;
  /** Days a resident's photo is kept (default 180); checked at start and hourly after. */
  reportPhotoDays?: number;
  scheduler?: Scheduler;
  /** Days raw telemetry and heartbeats, 1-minute and 1-hour rollups are kept; how often they are rolled up (0: a test calls `telemetry.run()`). */
  telemetry?: Partial<RetentionSettings> & { everyMs?: number };
  /** Incident timing, SMS and voice providers, retries and the like (see RoutingOptions). */
  routing?: Partial<Pick<RoutingOptions, "config" | "sms" | "voice" | "webPush" | "push" | "allowLoopbackPushEndpoints" | "retry" | "fetch" | "webhookRetry" | "cap" | "reportsPerHour" | "statusLookupsPerHour">>;
  /** How often deliveries a dead instance left are looked for (0: only at start). Default 60 s. */
  deliverySweepMs?: number;
  /**
   * The MQTT session for everything but alarms on its own thread (bulk-thread.ts), as the system
   * runs (system/start.ts) and the benches measure it. Ignored when the cloud is given its own
   * clock (`now`, which a thread cannot share), an in-memory database (which a second connection
   * cannot open) or NATS. Default off: the thread's start costs about a second of CPU (a second
   * module graph through tsx), which tests that start a cloud each do not need.
   */
  bulkThread?: boolean;
  /** Steps of niceness the bulk thread runs below the loop (default BULK_THREAD_NICER; 0: level). */
  bulkThreadNicer?: number;
  /**
   * Whether the lowered bulk thread is raised while one of the loop's writes waits for its hold on
   * the write lock (write-lock.ts: Inheritance). Default false: on one machine it shortened those
   * waits but not the alarms' first notification, and the broker's own share grew (bench:storm).
   */
  bulkThreadRaised?: boolean;
}

export interface RunningCloud {
  url: string;
  port: number;
  /** The first admin token, in clear, only on the start that created it. */
  firstAdminToken: string | null;
  database: Database;
  ingest: Ingest;
  feed: AlarmFeed;
  routing: RoutingStage;
  app: ReturnType<typeof createApp>;
  subscription: IngestSubscription;
  /** The bulk ingest's thread, when the cloud runs one (`bulkThread`). */
  bulkThread: BulkThread | null;
  liveness: LivenessMonitor;
  /** Telemetry rollups and retention. */
  telemetry: TelemetryKeeper;
  ota: { store: ImageStore; engine: CampaignEngine; service: OtaService } | undefined;
  /** Answers claims when the cloud was given a provisioner account. */
  provisioner: Provisioner | null;
  close(): Promise<void>;
}

/** How long the first MQTT connection to a NATS broker tier may take (the JetStream ingest waits as long for its stream). */
const NATS_FIRST_CONNECT_MS = 30_000;
/** Longest a telemetry rollup step waits for the incident desk's urgent work. */
const ROLLUP_YIELD_MS = 2000;
/**
 * Longest the non-alarm session's reading waits for it: while the desk works alarms, telemetry,
 * statuses and heartbeats stay in the broker (and TCP's window) instead of being parsed, checked
 * and queued on the same event loop.
 */
const BULK_HOLD_MS = 500;

/** Starts one cloud instance: database, MQTT ingest, HTTP API and console. */
export async function startCloud(options: CloudOptions): Promise<RunningCloud> {
  const now = options.now ?? Date.now;
  const { log } = options;
  const database = await openDatabase(options.databaseUrl, options.databaseAuthToken, { log });
  const firstAdminToken = await ensureFirstAdminToken(database.db, now());
  const feed = new AlarmFeed();
  const urgency = new Urgency();
  const calm = (maxWaitMs: number) => urgency.calm(maxWaitMs);
  // Receipts for stored alarms go out through the command publisher once it is connected (below).
  const receipts = new AlarmReceipts();
  const ingest = createIngest({ db: database.db, feed, log, now, durable: database.durable, calm, markUrgent: () => urgency.begin(), receipts });
  const instance = options.instanceId ?? hostname();
  const clientIds = cloudClientIds(options.mqtt.username, options.mqtt.password, instance);
  let otaService: OtaService | undefined;
  let ota: { store: ImageStore; engine: CampaignEngine } | undefined;
  if (options.ota) {
    // The engine sends through the service once it is connected; the service feeds reports to the engine.
    const channel: OfferChannel = { offer: (node, offer) => otaService?.offer(node, offer), cancel: (node, cancel) => otaService?.cancel(node, cancel) };
    const store = new ImageStore({ db: database.db, dataDir: options.ota.dataDir, releaseKeys: options.ota.releaseKeys });
    ota = { store, engine: new CampaignEngine({ db: database.db, clock: now, channel, log, reofferMs: options.ota.reofferMs }) };
  }
  const scheduler = options.scheduler ?? timerScheduler(now);
  const retention: RetentionSettings = { ...RETENTION_DEFAULTS, ...options.telemetry };

  let subscriber: IngestSubscription | undefined;
  let bulkThread: BulkThread | undefined;
  const threaded = options.bulkThread === true && !options.now && !options.databaseUrl.startsWith("file::memory:");
  let publisher: CommandPublisher | undefined;
  let provisioner: Provisioner | undefined;
  let routing: RoutingStage | undefined;
  let server: ServerType | undefined;
  let liveness: LivenessMonitor | undefined;
  let telemetry: TelemetryKeeper | undefined;
  let ticker: NodeJS.Timeout | undefined;
  let photoRetention: NodeJS.Timeout | undefined;
  let deliverySweep: NodeJS.Timeout | undefined;
  try {
    routing = createRoutingStage({
      ...options.routing,
      db: database.db,
      feed,
      log,
      scheduler,
      instanceId: instance,
      dataDir: options.dataDir ?? ".shouwang",
      urgency,
    });
    await routing.start();
    if (!options.routing?.sms) log("warn", "no SMS provider configured: SMS deliveries are stored as unreachable and their rounds may reach nobody (set SMS_PROVIDER)");
    if (!options.routing?.voice) log("warn", "no voice provider configured: voice calls are stored as unreachable (set VOICE_PROVIDER)");
    const stage = routing;
    if ((options.deliverySweepMs ?? 60_000) > 0) {
      deliverySweep = setInterval(() => {
        stage.notifier.resume().catch((error: Error) => log("error", "could not look for unfinished deliveries", { error: error.message }));
      }, options.deliverySweepMs ?? 60_000);
      deliverySweep.unref();
    }
    // The publisher first: NATS's MQTT listener makes its message stream only when its first MQTT
    // client connects, and the JetStream ingest waits for that stream (jetstream-subscriber.ts).
    // It then has the ingest's patience: a NATS cluster just restarted takes MQTT clients only once
    // its JetStream has leaders again (bench:ha: over 10 s).
    publisher = await startCommandPublisher(
      { ...options.mqtt, clientId: clientIds.commands, firstConnectTimeoutMs: options.nats ? NATS_FIRST_CONNECT_MS : undefined },
      log,
    );
    const commands = publisher;
    receipts.attach((topic, payload) => commands.publishAtMostOnce(topic, payload));
    subscriber = options.nats
      ? await startJetStreamSubscriber({ ...options.nats, name: `sw-cloud-${instance}` }, ingest, log)
      : await startMqttIngest(
          {
            ...options.mqtt,
            clientId: clientIds.ingest,
            holdBulk: () => (urgency.pressing ? urgency.calm(BULK_HOLD_MS) : undefined),
            startRest: threaded
              ? async (rest) =>
                  (bulkThread = await startBulkThread(
                    {
                      databaseUrl: options.databaseUrl,
                      databaseAuthToken: options.databaseAuthToken,
                      mqtt: rest,
                      urgency: urgency.shared,
                      // A database server's connections need none; the thread is given one all the same.
                      writeLock: database.writeLock ?? new WriteLock().shared,
                      holdMs: BULK_HOLD_MS,
                      telemetry: { settings: retention, everyMs: options.telemetry?.everyMs ?? ROLLUP_EVERY_MS, yieldMs: ROLLUP_YIELD_MS },
                      liveness: { everyMs: options.livenessEveryMs ?? SWEEP_EVERY_MS },
                      nicer: options.bulkThreadNicer ?? BULK_THREAD_NICER,
                      raised: options.bulkThreadRaised ?? false,
                    },
                    feed,
                    log,
                  ))
              : undefined,
          },
          ingest,
          log,
        );
    const allIngest = bulkThread ? withBulkThread(ingest, bulkThread) : ingest;
    // With the bulk thread, the liveness sweep, rollups and retention run there, beside the writes
    // they work on (bulk-thread.ts); it stops them when it closes.
    const thread = bulkThread;
    if (thread) {
      liveness = { sweep: () => thread.housekeep("liveness"), stop: () => {} };
      telemetry = { run: () => thread.housekeep("telemetry"), stop: () => {} };
    } else {
      liveness = startLivenessMonitor({ db: database.db, now, log, everyMs: options.livenessEveryMs });
      telemetry = startTelemetryKeeper({ db: database.db, now, log, settings: retention, everyMs: options.telemetry?.everyMs, calm: () => calm(ROLLUP_YIELD_MS) });
    }
    photoRetention = keepReportPhotos(database.db, options.dataDir ?? ".shouwang", now, options.reportPhotoDays ?? 180, log);
    const app = createApp({
      db: database.db,
      feed,
      ingest: allIngest,
      log,
      commands: publisher,
      now,
      routing,
      ota: ota && { db: database.db, store: ota.store, engine: ota.engine, now },
    });
    if (ota) {
      const engine = ota.engine;
      otaService = await startOtaService(
        { ...options.mqtt, shareGroup: options.mqtt.shareGroup && "shouwang-ota", clientId: clientIds.ota },
        { store: ota.store, engine: () => engine, log },
      );
      let ticking = false;
      ticker = setInterval(() => {
        if (ticking) return;
        ticking = true;
        void engine.tick().finally(() => (ticking = false));
      }, options.ota?.tickMs ?? 5000);
    }
    if (options.provisioning) {
      provisioner = await startProvisioner({
        url: options.mqtt.url,
        ...options.provisioning,
        clientId: provisionerClientId(options.provisioning.username, options.provisioning.password, instance),
        shareGroup: options.mqtt.shareGroup ? "shouwang-provisioner" : undefined,
        db: database.db,
        log,
        now,
      });
    }
    const port = await new Promise<number>((resolve, reject) => {
      server = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, (info) => resolve(info.port));
      server.once("error", (error: NodeJS.ErrnoException) =>
        reject(error.code === "EADDRINUSE" ? new Error(`port ${options.port} is in use; set PORT to a free one`) : error),
      );
    });
    const url = `http://${options.host === "0.0.0.0" ? "127.0.0.1" : options.host}:${port}`;
    log("info", "cloud listening", { url });
    return {
      url,
      port,
      firstAdminToken,
      database,
      ingest: allIngest,
      feed,
      routing,
      app,
      subscription: subscriber,
      bulkThread: bulkThread ?? null,
      liveness,
      telemetry,
      provisioner: provisioner ?? null,
      ota: ota && otaService ? { ...ota, service: otaService } : undefined,
      async close() {
        clearInterval(ticker);
        clearInterval(deliverySweep);
        clearInterval(photoRetention);
        liveness?.stop();
        telemetry?.stop();
        // Live SSE streams never end by themselves: cut them, then wait for the listener to close.
        const closing = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
        (server as { closeAllConnections?: () => void } | undefined)?.closeAllConnections?.();
        await closing;
        await provisioner?.close();
        await subscriber?.close();
        routing?.stop();
        await routing?.desk.idle();
        await publisher?.close();
        await otaService?.close();
        await ota?.store.close();
        database.close();
      },
    };
  } catch (error) {
    await provisioner?.close().catch(() => undefined);
    clearInterval(ticker);
    clearInterval(deliverySweep);
    clearInterval(photoRetention);
    await otaService?.close().catch(() => undefined);
    liveness?.stop();
    telemetry?.stop();
    await subscriber?.close().catch(() => undefined);
    routing?.stop();
    await publisher?.close().catch(() => undefined);
    server?.close();
    database.close();
    throw error;
  }
}
