import { sql, type SQL } from "drizzle-orm";
import type { AnySQLiteColumn } from "drizzle-orm/sqlite-core";

/**
 * For an upsert of a current-state row: the incoming row is newer when it comes from a later
 * boot, or later in the same boot. An older event delivered late never overwrites a newer state.
 */
export function newerThanStored(columns: { bootId: AnySQLiteColumn; seq: AnySQLiteColumn }): SQL {
  return sql`excluded.boot_id > ${columns.bootId} or (excluded.boot_id = ${columns.bootId} and excluded.seq > ${columns.seq})`;
}
