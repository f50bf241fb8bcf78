import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AlarmFeed } from "../../cloud/alarms/alarm-feed";
import { createApp } from "../../cloud/app";
import { createToken } from "../../cloud/auth/tokens";
import { openDatabase, type Database } from "../../cloud/db/client";
import { createIngest, type Ingest } from "../../cloud/ingest/ingest";
import { recordingPublisher } from "../../cloud/commands/publisher";
import { memoryLogger } from "../../cloud/log";
import type { AppPublish } from "../../cloud/notify/notifier";
import { createRoutingStage, type RoutingOptions, type RoutingStage } from "../../cloud/routing/stage";
import { ManualScheduler } from "./manual-scheduler";

export interface TestCloud {
  database: Database;
  databaseUrl: string;
  feed: AlarmFeed;
  ingest: Ingest;
  routing: RoutingStage;
  scheduler: ManualScheduler;
  app: ReturnType<typeof createApp>;
  log: ReturnType<typeof memoryLogger>;
  token: string;
  clock: { now: number };
  /** Commands the app would have sent to the broker. */
  commands: ReturnType<typeof recordingPublisher>;
  dataDir: string;
  /** A request with the test's admin token. */
  get(path: string): Promise<Response>;
  /** Moves the clock, running timers, and lets the incident stage and every channel settle. */
  advance(ms: number): Promise<void>;
  /** Waits until triggers are handled and channel queues are empty. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export function tempDatabaseUrl(): string {
  return `file:${join(mkdtempSync(join(tmpdir(), "sw-db-")), "test.db")}`;
}

export type TestRoutingOptions = Partial<Omit<RoutingOptions, "db" | "feed" | "log" | "scheduler" | "dataDir">>;

/**
 * The cloud app over a fresh database (or `databaseUrl`'s, as a restarted instance finds it) and a
 * controllable clock, without a server or broker.
 */
export async function testCloud(routing: TestRoutingOptions = {}, options: { databaseUrl?: string } = {}): Promise<TestCloud> {
  const databaseUrl = options.databaseUrl ?? tempDatabaseUrl();
  const database = await openDatabase(databaseUrl);
  const clock = { now: Date.UTC(2026, 10, 25, 8, 0, 0) };
  const now = () => clock.now;
  const log = memoryLogger();
  const feed = new AlarmFeed();
  const scheduler = new ManualScheduler(clock);
  const dataDir = mkdtempSync(join(tmpdir(), "sw-data-"));
  const ingest = createIngest({ db: database.db, feed, log, now });
  const commands = recordingPublisher();
  const stage = createRoutingStage({ appPublish: null, ...routing, db: database.db, feed, log, scheduler, dataDir });
  await stage.start();
  const app = createApp({ db: database.db, feed, ingest, log, commands, now, routing: stage });
  const token = await createToken(database.db, "test", "admin", now());
  const settle = async () => {
    for (let i = 0; i < 10; i++) {
      await stage.desk.idle();
      await stage.notifier.idle();
      await new Promise((resolve) => setImmediate(resolve));
      if (stage.desk.queued === 0) return;
    }
  };
  return {
    database,
    databaseUrl,
    feed,
    ingest,
    routing: stage,
    scheduler,
    app,
    log,
    token,
    clock,
    commands,
    dataDir,
    get: async (path) => app.request(path, { headers: { authorization: `Bearer ${token}` } }),
    advance: (ms) => scheduler.advance(ms, settle),
    settle,
    async close() {
      stage.stop();
      await stage.desk.idle();
      database.close();
    },
  };
}

/** A staff-app push that records what it published, with the clock time it was sent. */
export function recordingAppPublish(now: () => number): AppPublish & { sent: Array<{ topic: string; payload: unknown; atMs: number }> } {
  const sent: Array<{ topic: string; payload: unknown; atMs: number }> = [];
  const publish = (async (topic: string, payload: string) => {
    sent.push({ topic, payload: JSON.parse(payload) as unknown, atMs: now() });
  }) as AppPublish & { sent: typeof sent };
  publish.sent = sent;
  return publish;
}
