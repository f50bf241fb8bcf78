/**
 * Timing of a libSQL client's calls, for a bench's cloud (its loop's connection): every call over
 * 100 ms as it happens (`BENCH_TRACE_SLOW=1`), or the time per statement text, printed at the end
 * heaviest first (`BENCH_SQL_PROFILE=1`). With the bulk thread a call's time includes its wait for
 * the write lock (cloud/db/write-lock.ts), during which the loop runs other work.
 */
export type Client = { batch: (...args: any[]) => Promise<unknown>; execute: (...args: any[]) => Promise<unknown> };

export type StatementProfile = Map<string, { ms: number; calls: number; max: number }>;

/** Calls `seen` after each execute and batch of the client with the method, its statements and the milliseconds it held the caller. */
function timeCalls(client: Client, seen: (method: "batch" | "execute", statements: unknown[], ms: number) => void): void {
  for (const method of ["batch", "execute"] as const) {
    const original = client[method].bind(client);
    client[method] = async (...args: any[]) => {
      const started = performance.now();
      try {
        return await original(...args);
      } finally {
        seen(method, Array.isArray(args[0]) ? args[0] : [args[0]], performance.now() - started);
      }
    };
  }
}

const statementText = (statement: any) => String(typeof statement === "string" ? statement : statement?.sql);

/** Every call over 100 ms, with its first statement, written to stderr when it ends. */
export function traceSlowStatements(client: Client): void {
  timeCalls(client, (method, statements, ms) => {
    if (ms > 100) process.stderr.write(`${new Date().toISOString()} slow ${method} ${ms.toFixed(0)} ms (${statements.length} statements): ${statementText(statements[0]).slice(0, 160)}\n`);
  });
}

/** Time per statement text from now on (clear() the map to start again). */
export function profileStatements(client: Client): StatementProfile {
  const profile: StatementProfile = new Map();
  timeCalls(client, (method, statements, ms) => {
    const first = statementText(statements[0]);
    const text = (method === "batch" ? `batch of ${statements.length}: ${first}` : first).replace(/\(\?(,\s*\?)*\)(,\s*\(\?(,\s*\?)*\))*/g, "(?…)").slice(0, 140);
    const entry = profile.get(text) ?? { ms: 0, calls: 0, max: 0 };
    entry.ms += ms;
    entry.calls++;
    entry.max = Math.max(entry.max, ms);
    profile.set(text, entry);
  });
  return profile;
}

export function printStatementProfile(profile: StatementProfile): void {
  const rows = [...profile].sort((a, b) => b[1].ms - a[1].ms).slice(0, 30);
  process.stderr.write(`\nstatements on the loop's connection by time, waits for the write lock included (BENCH_SQL_PROFILE): total, calls, mean, longest:\n${rows.map(([text, { ms, calls, max }]) => `${ms.toFixed(0).padStart(7)} ms ${String(calls).padStart(7)}× ${(ms / calls).toFixed(3).padStart(7)} ms, max ${max.toFixed(1).padStart(6)} ms  ${text}`).join("\n")}\n`);
}
