import { createClient, type Client } from "@libsql/client";
import { drizzle, type LibSQLDatabase } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import * as schema from "./schema";

export type Db = LibSQLDatabase<typeof schema> & { $client: Client };

export interface Database {
  db: Db;
  client: Client;
  close(): void;
}

const MIGRATIONS = fileURLToPath(new URL("./migrations", import.meta.url));

/** Opens libSQL (embedded file, or a server by URL) and brings its schema up to date. */
export async function openDatabase(url: string, authToken?: string): Promise<Database> {
  if (url.startsWith("file:") && url !== "file::memory:") {
    mkdirSync(dirname(url.slice("file:".length)), { recursive: true });
  }
  const client = createClient({ url, authToken });
  if (url.startsWith("file:")) {
    // WAL lets the console read while ingest writes; busy_timeout rides out a second writer.
    await client.execute("PRAGMA journal_mode = WAL");
    await client.execute("PRAGMA busy_timeout = 5000");
  }
  const db = drizzle(client, { schema });
  await migrate(db, { migrationsFolder: MIGRATIONS });
  return { db, client, close: () => client.close() };
}

/**
 * `count` rows of `columns` placeholders, for a multi-row statement built once per batch:
 * much cheaper than an ORM row mapping when one transaction carries a thousand rows.
 */
export function placeholders(count: number, columns: number): string {
  const row = `(${Array.from({ length: columns }, () => "?").join(",")})`;
  return Array.from({ length: count }, () => row).join(",");
}
