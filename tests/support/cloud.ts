import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AlarmFeed } from "../../cloud/alarms/alarm-feed";
import { createApp } from "../../cloud/app";
import { createToken } from "../../cloud/auth/tokens";
import { openDatabase, type Database } from "../../cloud/db/client";
import { createIngest, type Ingest } from "../../cloud/ingest/ingest";
import { memoryLogger } from "../../cloud/log";

export interface TestCloud {
  database: Database;
  feed: AlarmFeed;
  ingest: Ingest;
  app: ReturnType<typeof createApp>;
  log: ReturnType<typeof memoryLogger>;
  token: string;
  clock: { now: number };
  /** A request with the test's admin token. */
  get(path: string): Promise<Response>;
}

export function tempDatabaseUrl(): string {
  return `file:${join(mkdtempSync(join(tmpdir(), "sw-db-")), "test.db")}`;
}

/** The cloud app over a fresh database and a controllable clock, without a server or broker. */
export async function testCloud(): Promise<TestCloud> {
  const database = await openDatabase(tempDatabaseUrl());
  const clock = { now: Date.UTC(2026, 10, 25, 8, 0, 0) };
  const now = () => clock.now;
  const log = memoryLogger();
  const feed = new AlarmFeed();
  const ingest = createIngest({ db: database.db, feed, log, now });
  const app = createApp({ db: database.db, feed, ingest, log, now });
  const token = await createToken(database.db, "test", "admin", now());
  return {
    database,
    feed,
    ingest,
    app,
    log,
    token,
    clock,
    get: async (path) => app.request(path, { headers: { authorization: `Bearer ${token}` } }),
  };
}
