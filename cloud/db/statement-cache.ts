import { createRequire } from "node:module";

/**
 * Prepared statements kept per embedded connection. @libsql/client (0.18, `file:` URLs) prepares
 * every statement afresh and asks it for its columns twice, each a call into the native library:
 * in bench:desk's CPU profile `prepare` and `columns` took 505 of 2,166 ms, a quarter of what an
 * incident costs the loop, and every alarm's write and every delivery's outcome paid the same.
 * Here the libsql `Database` keeps its statements by text (the most recently used
 * {@link STATEMENTS_KEPT}), with their columns and whether they return rows.
 *
 * Written here rather than taken from a library: the client offers no statement cache and no
 * hook for one, so this wraps the `prepare` of the `libsql` module the client itself loads.
 *
 * Why a statement can be shared (libsql-js 0.5, src/statement.rs, checked against its source):
 * - the client uses a statement synchronously from `prepare` to its last row (`executeStmt`:
 *   `all()` steps to the end, `run()` to completion), so no two uses of one statement overlap;
 * - `run` and `all` reset the statement before binding, so a reset that arrives later from a
 *   dropped result (its native rows are finalized in a later task) finds it idle;
 * - a statement whose `all` or `run` threw may be left part-way and is dropped from the cache,
 *   as every statement was before;
 * - schema changes (CREATE, ALTER, DROP: migrations) empty the connection's cache, so no columns
 *   read before them are kept;
 * - closing the connection empties it too: libsql closes a connection only once its last
 *   statement is collected.
 */
export const STATEMENTS_KEPT = 256;

/** Texts not kept: pragmas, schema changes and other one-offs. */
const UNCACHED = /^\s*(pragma|create|alter|drop|attach|detach|vacuum|reindex|analyze)\b/i;
const SCHEMA_CHANGE = /^\s*(create|alter|drop)\b/i;
/** Longer texts are one-offs (an `in (…)` of hundreds of ids): not kept. */
const LONGEST_KEPT = 4096;

interface LibsqlStatement {
  raw(on?: boolean): LibsqlStatement;
  columns(): unknown[];
  all(...args: unknown[]): unknown[];
  run(...args: unknown[]): unknown;
}
interface LibsqlDatabase {
  prepare(sql: string): LibsqlStatement;
  close(): void;
}

const CACHE = Symbol("shouwang.statementCache");
let installed = false;

/** Statements prepared and kept since start in this thread: misses (prepared) and hits (reused). */
export const statementCacheStats = { prepared: 0, reused: 0 };

/** Installs the cache on the `libsql` module @libsql/client uses (once per thread; every embedded connection opened after shares the wrapper, each with its own statements). */
export function cacheStatements(): void {
  if (installed) return;
  installed = true;
  const fromClient = createRequire(createRequire(import.meta.url).resolve("@libsql/client"));
  const Database = fromClient("libsql") as { prototype: LibsqlDatabase & { [CACHE]?: Map<string, LibsqlStatement> } };
  const { prepare, close } = Database.prototype;
  // The native connection closes once its last statement is collected: kept ones are let go with it.
  Database.prototype.close = function (this: LibsqlDatabase & { [CACHE]?: Map<string, LibsqlStatement> }) {
    this[CACHE]?.clear();
    return close.call(this);
  };
  Database.prototype.prepare = function (this: LibsqlDatabase & { [CACHE]?: Map<string, LibsqlStatement> }, sql: string) {
    if (UNCACHED.test(sql) || sql.length > LONGEST_KEPT) {
      if (SCHEMA_CHANGE.test(sql)) this[CACHE]?.clear();
      return prepare.call(this, sql);
    }
    const cache = (this[CACHE] ??= new Map());
    const kept = cache.get(sql);
    if (kept) {
      // Most recently used last: the first key is the one to drop.
      cache.delete(sql);
      cache.set(sql, kept);
      statementCacheStats.reused++;
      return kept;
    }
    const statement = keep(prepare.call(this, sql), () => {
      if (cache.get(sql) === statement) cache.delete(sql);
    });
    statementCacheStats.prepared++;
    cache.set(sql, statement);
    if (cache.size > STATEMENTS_KEPT) cache.delete(cache.keys().next().value!);
    return statement;
  };
}

/** The statement with its columns and `raw` answer remembered, dropped from the cache when a use of it throws. */
function keep(statement: LibsqlStatement, drop: () => void): LibsqlStatement {
  const { raw } = statement;
  const columns = statement.columns();
  // raw() throws for a statement that returns no rows; the client calls it to find out.
  let notReader: unknown;
  statement.raw = (on?: boolean) => {
    if (notReader) throw notReader;
    try {
      raw.call(statement, on);
    } catch (error) {
      notReader = error;
      throw error;
    }
    return statement;
  };
  statement.columns = () => columns;
  // A use that throws may leave the statement part-way: it is not handed out again.
  for (const method of ["all", "run"] as const) {
    const use = statement[method] as (...args: unknown[]) => unknown;
    statement[method] = ((...args: unknown[]) => {
      try {
        return use.apply(statement, args);
      } catch (error) {
        drop();
        throw error;
      }
    }) as never;
  }
  return statement;
}
