import { createClient, type Client } from "@libsql/client";
import { drizzle, type LibSQLDatabase } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import * as schema from "./schema";
import type { Logger } from "../log";
import { Checkpoints, type CheckpointStats } from "./checkpoints";
import { DurableLog } from "./durable";
import { cacheStatements } from "./statement-cache";
import { raiseThread } from "../threads/thread-priority";
import { BUSY_TIMEOUT_MS, WriteLock, writeThroughLock, type LockWaits } from "./write-lock";

export type Db = LibSQLDatabase<typeof schema> & { $client: Client };

export interface Database {
  db: Db;
  client: Client;
  /** Resolves once every commit made before the call is on disk (see durable.ts); at once for a server. */
  durable(): Promise<void>;
  /**
   * Closes the client's connections and opens them again with the same settings. For a
   * connection a failed transaction left unable to commit ("SQL statements in progress": the
   * failed statement stays active until it is collected). Statements under way on it fail.
   */
  reopen(): Promise<void>;
  /** What the checkpoint thread has done (checkpoints.ts); null for a server or a memory database, or a connection that leaves them to another. */
  readonly checkpoints: Readonly<CheckpointStats> | null;
  /** Resolves after a checkpoint of the log begun now (Checkpoints.now); at once where there are none. */
  checkpoint(): Promise<void>;
  /**
   * The process's write lock (write-lock.ts), which this connection's writes take first, for a
   * second connection's thread (the bulk ingest's) to take in turn; null where this connection
   * leaves checkpoints to another (OpenOptions.checkpoints), or for a server or memory database.
   */
  readonly writeLock: SharedArrayBuffer | null;
  /** What this connection's writes waited for another thread's hold on the write lock (WriteLock.waits); null without the lock. */
  readonly lockWaits: Readonly<LockWaits> | null;
  close(): void;
}

export interface OpenOptions {
  /** Bring the schema up to date (default); false for a second connection of a process that did. */
  migrate?: boolean;
  /**
   * Run the write-ahead log's checkpoints on their own thread (checkpoints.ts; default), and own
   * the process's write lock, which they and this connection's writes take (write-lock.ts).
   * False for a second connection of a process whose first one does: every connection has
   * SQLite's own checkpoints turned off either way.
   */
  checkpoints?: boolean;
  /** Where the checkpoint thread's failures are told. */
  log?: Logger;
  /** The checkpoint thread's module in place of the cloud's, and its bound on the log in place of 64 MiB (tests). */
  checkpointScript?: URL;
  restartLogAbovePages?: number;
}

/** Other commits than the ingest's are put on disk at least this often. */
const SYNC_EVERY_MS = 1000;

const MIGRATIONS = fileURLToPath(new URL("./migrations", import.meta.url));

/**
 * The embedded database's page cache per connection. SQLite's default is 2 MiB: with a fleet's
 * telemetry the indexes an insert touches no longer fit, and every statement read its pages back
 * from the OS (bench:storm, BENCH_SQL_PROFILE: 1.5–2.2 ms to insert one incident, event or
 * delivery row while 10,000 nodes reconnected).
 */
const PAGE_CACHE_KIB = 32 * 1024;

/** The write-ahead log file is cut back to this when it starts again from its beginning (journal_size_limit). */
const WAL_KEPT_BYTES = 64 * 1024 * 1024;

/**
 * The embedded database's settings, per connection. WAL lets the console read while ingest
 * writes; busy_timeout rides out a second writer; NORMAL keeps the disk's syncs off the event
 * loop (durable.ts), the ingest syncing before it acknowledges. No commit checkpoints the log:
 * a thread does (checkpoints.ts). Pragmas are per connection, and the client keeps exactly one
 * (openDatabase).
 */
async function connectionSettings(client: Client, url: string): Promise<void> {
  await client.execute("PRAGMA journal_mode = WAL");
  await client.execute(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  if (url === "file::memory:") return;
  await client.execute("PRAGMA synchronous = NORMAL");
  await client.execute(`PRAGMA cache_size = -${PAGE_CACHE_KIB}`);
  await client.execute("PRAGMA wal_autocheckpoint = 0");
  await client.execute(`PRAGMA journal_size_limit = ${WAL_KEPT_BYTES}`);
}

/** Opens libSQL (embedded file, or a server by URL) and brings its schema up to date (OpenOptions). */
export async function openDatabase(url: string, authToken?: string, options: OpenOptions = {}): Promise<Database> {
  if (url.startsWith("file:") && url !== "file::memory:") {
    mkdirSync(dirname(url.slice("file:".length)), { recursive: true });
  }
  // One connection for an embedded file. @libsql/client pools up to 20 by default, opening
  // another whenever two calls overlap (any Promise.all of queries), and a pooled connection
  // has none of the settings below: no busy timeout, FULL sync (a sync on the event loop per
  // commit), a 2 MiB cache of its own each, and the log checkpointed on the loop. Every call runs
  // synchronously on the connection it borrows, so one connection loses no parallelism; the
  // cost is that an interactive transaction would hold it, so the cloud uses none (batches).
  // Embedded connections keep their prepared statements (statement-cache.ts).
  if (url.startsWith("file:")) cacheStatements();
  const client = createClient({ url, authToken, concurrency: url.startsWith("file:") ? 1 : undefined });
  let log: DurableLog | null = null;
  let checkpoints: Checkpoints | null = null;
  let writeLock: WriteLock | null = null;
  let syncTimer: NodeJS.Timeout | undefined;
  if (url.startsWith("file:")) {
    await connectionSettings(client, url);
    if (url !== "file::memory:") {
      const path = url.slice("file:".length).split("?")[0];
      const durableLog = (log = new DurableLog(path));
      const keeper = (checkpoints = options.checkpoints === false ? null : new Checkpoints(url, path, client, options.log, { script: options.checkpointScript, restartAbovePages: options.restartLogAbovePages }));
      if (keeper) {
        // The checkpoint thread's restarts of the log take it too: this connection's writers then
        // wait for one without sleeping in SQLite's busy handler on their thread.
        writeLock = new WriteLock();
        // A thread running below this one that asks for it (the bulk ingest's, with
        // CloudOptions.bulkThreadRaised) is raised while this connection waits for it. Refused
        // once (no CAP_SYS_NICE, and no RLIMIT_NICE that reaches this thread's niceness), it is
        // said once and not tried again.
        let mayRaise = true;
        writeLock.inherit({
          raise: (tid) => {
            if (mayRaise && raiseThread(tid)) return true;
            if (mayRaise) options.log?.("warn", "a write waits for a thread that runs below the cloud's loop, and that thread cannot be raised meanwhile: allow it with CAP_SYS_NICE or RLIMIT_NICE, or leave bulkThreadRaised off", { thread: tid });
            mayRaise = false;
            return false;
          },
        });
        writeThroughLock(client, writeLock, { first: true });
        keeper.shareLock(writeLock.shared);
      }
      syncTimer = setInterval(() => {
        void durableLog.sync().catch(() => undefined);
        keeper?.tick();
      }, SYNC_EVERY_MS);
      syncTimer.unref();
    }
  }
  const db = drizzle(client, { schema });
  if (options.migrate !== false) await migrate(db, { migrationsFolder: MIGRATIONS });
  return {
    db,
    client,
    durable: () => (log ? log.sync() : Promise.resolve()),
    reopen: async () => {
      // An in-memory database lives in its connection: reopening it would empty it.
      if (url === "file::memory:") throw new Error("an in-memory database cannot be reopened");
      await client.reconnect();
      if (url.startsWith("file:")) await connectionSettings(client, url);
    },
    get checkpoints() {
      return checkpoints?.stats ?? null;
    },
    checkpoint: async () => checkpoints?.now(),
    writeLock: writeLock?.shared ?? null,
    lockWaits: writeLock?.waits ?? null,
    close: () => {
      clearInterval(syncTimer);
      checkpoints?.close();
      client.close();
      log?.close();
    },
  };
}

/**
 * `count` rows of `columns` placeholders, for a multi-row statement built once per batch:
 * much cheaper than an ORM row mapping when one transaction carries a thousand rows.
 */
export function placeholders(count: number, columns: number): string {
  const row = `(${Array.from({ length: columns }, () => "?").join(",")})`;
  return Array.from({ length: count }, () => row).join(",");
}
