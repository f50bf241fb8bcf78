import { sql } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";

/**
 * Inserts through queries the ORM builds once, per table, clause and row shape (which keys each
 * row gives), instead of for every call. Building an insert walks every column of the table
 * through drizzle's entity checks: in bench:desk's CPU profile, after prepared statements were
 * kept (statement-cache.ts), the ORM's query building was the largest share of an incident's
 * cost left (`is()` 166 ms and the SQL builder about 270 ms of 1,978). The incident, its events
 * and its round's deliveries are inserted this way.
 *
 * The query is exactly the one drizzle would build for rows of that shape (a key left out takes
 * its column's default, a key given `null` stores NULL), its values placeholders filled through
 * each column's encoder. Shapes are few (a round's size, an event or two); past
 * {@link SHAPES_KEPT} per table and database a new one is built for its call alone.
 */
const SHAPES_KEPT = 128;

type Returning = true | Record<string, SQLiteColumn> | undefined;
interface Shape {
  conflict?: "nothing";
  returning?: Returning;
}
interface Prepared {
  all(values: Record<string, unknown>): Promise<unknown[]>;
  run(values: Record<string, unknown>): Promise<unknown>;
}

/** Per database and table, the queries built, by clause and row shape. */
const preparedFor = new WeakMap<Db, WeakMap<SQLiteTable, Map<string, Prepared>>>();

/** Inserts `rows` into `table`; returns the rows `shape.returning` asks for (none without it). */
export async function insertPrepared<Row>(db: Db, table: SQLiteTable, rows: ReadonlyArray<Record<string, unknown>>, shape: Shape = {}): Promise<Row[]> {
  const keys = rows.map((row) => Object.keys(row).filter((key) => row[key] !== undefined));
  const returningKey = shape.returning === true ? "*" : shape.returning ? Object.keys(shape.returning).join(",") : "";
  const signature = `${shape.conflict ?? ""}|${returningKey}|${keys.map((k) => k.join(",")).join(";")}`;
  let tables = preparedFor.get(db);
  if (!tables) preparedFor.set(db, (tables = new WeakMap()));
  let kept = tables.get(table);
  if (!kept) tables.set(table, (kept = new Map()));
  let query = kept.get(signature);
  if (!query) {
    query = build(db, table, keys, shape);
    if (kept.size < SHAPES_KEPT) kept.set(signature, query);
  }
  const values: Record<string, unknown> = {};
  rows.forEach((row, i) => {
    for (const key of keys[i]) values[`r${i}_${key}`] = row[key];
  });
  if (!shape.returning) {
    await query.run(values);
    return [];
  }
  return (await query.all(values)) as Row[];
}

function build(db: Db, table: SQLiteTable, keys: string[][], shape: Shape): Prepared {
  const placeholders = keys.map((rowKeys, i) => Object.fromEntries(rowKeys.map((key) => [key, sql.placeholder(`r${i}_${key}`)])));
  // The builder's types follow the table given; here it is any table, so they are set aside.
  let query: any = db.insert(table).values(placeholders as any);
  if (shape.conflict === "nothing") query = query.onConflictDoNothing();
  if (shape.returning === true) query = query.returning();
  else if (shape.returning) query = query.returning(shape.returning);
  return query.prepare() as Prepared;
}
