import { serve, type ServerType } from "@hono/node-server";
import type { MqttClient } from "mqtt";
import { hostname } from "node:os";
import { AlarmFeed } from "./alarms/alarm-feed";
import { createApp } from "./app";
import { ensureFirstAdminToken } from "./auth/tokens";
import { openDatabase, type Database } from "./db/client";
import { createIngest, type Ingest } from "./ingest/ingest";
import { startSubscriber } from "./ingest/subscriber";
import type { Logger } from "./log";

export interface CloudOptions {
  databaseUrl: string;
  databaseAuthToken?: string;
  mqtt: { url: string; username?: string; password?: string; protocolVersion: 4 | 5; shareGroup?: string };
  /** Stable per instance, so the broker keeps its session (and queued QoS 1 messages) across restarts. */
  instanceId?: string;
  port: number;
  host: string;
  log: Logger;
  now?: () => number;
}

export interface RunningCloud {
  url: string;
  port: number;
  /** The first admin token, in clear, only on the start that created it. */
  firstAdminToken: string | null;
  database: Database;
  ingest: Ingest;
  feed: AlarmFeed;
  app: ReturnType<typeof createApp>;
  close(): Promise<void>;
}

/** Starts one cloud instance: database, MQTT ingest, HTTP API and console. */
export async function startCloud(options: CloudOptions): Promise<RunningCloud> {
  const now = options.now ?? Date.now;
  const { log } = options;
  const database = await openDatabase(options.databaseUrl, options.databaseAuthToken);
  const firstAdminToken = await ensureFirstAdminToken(database.db, now());
  const feed = new AlarmFeed();
  const ingest = createIngest({ db: database.db, feed, log, now });
  const app = createApp({ db: database.db, feed, ingest, log, now });

  let subscriber: MqttClient | undefined;
  let server: ServerType | undefined;
  try {
    subscriber = await startSubscriber(
      { ...options.mqtt, clientId: `sw-cloud-${options.instanceId ?? hostname()}` },
      ingest,
      log,
    );
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
      ingest,
      feed,
      app,
      async close() {
        // Live SSE streams never end by themselves: cut them, then wait for the listener to close.
        const closing = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
        (server as { closeAllConnections?: () => void } | undefined)?.closeAllConnections?.();
        await closing;
        await subscriber?.endAsync();
        database.close();
      },
    };
  } catch (error) {
    subscriber?.end(true);
    server?.close();
    database.close();
    throw error;
  }
}
