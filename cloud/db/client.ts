import { createClient, type Client } from "@libsql/client";
import { drizzle, type LibSQLDatabase } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import * as schema from "./schema";
import { DatabaseTurns, takingTurns } from "./turns";

export type Db = LibSQLDatabase<typeof schema> & { $client: Client };

export interface Database {
  db: Db;
  client: Client;
  /** How the embedded database's statements share the event loop; null for a server (its calls do not block the loop). */
  turns: DatabaseTurns | null;
  close(): void;
}

const MIGRATIONS = fileURLToPath(new URL("./migrations", import.meta.url));

/** Opens libSQL (embedded file, or a server by URL) and brings its schema up to date. */
export async function openDatabase(url: string, authToken?: string): Promise<Database> {
  if (url.startsWith("file:") && url !== "file::memory:") {
    mkdirSync(dirname(url.slice("file:".length)), { recursive: true });
  }
  const raw = createClient({ url, authToken });
  // Only the embedded client blocks the event loop; a server's calls are I/O, and holding them to
  // turns would serialize them.
  const turns = url.startsWith("file:") ? new DatabaseTurns() : null;
  const client = turns ? takingTurns(raw, turns) : raw;
  if (url.startsWith("file:")) {
    // WAL lets the console read while ingest writes; busy_timeout rides out a second writer.
    await client.execute("PRAGMA journal_mode = WAL");
    await client.execute("PRAGMA busy_timeout = 5000");
  }
  const db = drizzle(client, { schema });
  await migrate(db, { migrationsFolder: MIGRATIONS });
  return { db, client, turns, close: () => client.close() };
}

/**
 * `count` rows of `columns` placeholders, for a multi-row statement built once per batch:
 * much cheaper than an ORM row mapping when one transaction carries a thousand rows.
 */
export function placeholders(count: number, columns: number): string {
  const row = `(${Array.from({ length: columns }, () => "?").join(",")})`;
  return Array.from({ length: count }, () => row).join(",");
}
