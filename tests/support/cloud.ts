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
import { createECDH, randomBytes } from "node:crypto";
import type { ProviderChannel, SendOutcome } from "../../cloud/notify/providers/channel";
import type { PushPayload, PushTarget } from "../../cloud/notify/push/web-push-channel";
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
  const ingest = createIngest({ db: database.db, feed, log, now, durable: database.durable });
  const commands = recordingPublisher();
  const stage = createRoutingStage({ allowLoopbackPushEndpoints: true, ...routing, db: database.db, feed, log, scheduler, dataDir });
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

/**
 * A Web Push channel that records what it would have pushed, with the clock time, in place of
 * the push services. Subscriptions made by `subscribePush` name their person in the endpoint.
 */
export function recordingPush(now: () => number): ProviderChannel<PushTarget> & { sent: Array<{ staffId: number; endpoint: string; payload: PushPayload; atMs: number }>; gone: Set<string> } {
  const sent: Array<{ staffId: number; endpoint: string; payload: PushPayload; atMs: number }> = [];
  const gone = new Set<string>();
  return {
    name: "recording-push",
    sent,
    gone,
    async send(target, message): Promise<SendOutcome> {
      if (gone.has(target.endpoint)) return { status: "permanent", reason: "push subscription gone (HTTP 410)" };
      sent.push({ staffId: Number(/\/staff\/(\d+)\//.exec(target.endpoint)?.[1]), endpoint: target.endpoint, payload: JSON.parse(message.text) as PushPayload, atMs: now() });
      return { status: "accepted" };
    },
  };
}

/** A browser's subscription keys: a fresh P-256 key pair and auth secret, as a browser makes them. */
export function browserKeys() {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  return { ecdh, auth: randomBytes(16), keys: { p256dh: ecdh.getPublicKey().toString("base64url"), auth: "" } };
}

/** Subscribes a staff member's browser (through the API, as they would) at `endpoint`. */
export async function subscribePush(cloud: TestCloud, person: { id: number; token: string }, endpoint = `https://push.example/staff/${person.id}/1`) {
  const browser = browserKeys();
  const keys = { p256dh: browser.keys.p256dh, auth: browser.auth.toString("base64url") };
  const response = await cloud.app.request("/api/push/subscriptions", {
    method: "POST",
    headers: { authorization: `Bearer ${person.token}`, "content-type": "application/json" },
    body: JSON.stringify({ endpoint, keys }),
  });
  if (response.status !== 201) throw new Error(`subscribing ${person.id} answered ${response.status}: ${await response.text()}`);
  return { endpoint, ecdh: browser.ecdh, auth: browser.auth };
}

/** Every member of a team subscribed on one browser each. */
export async function subscribeTeam(cloud: TestCloud, team: Record<string, { id: number; token: string }>): Promise<void> {
  for (const person of Object.values(team)) await subscribePush(cloud, person);
}
