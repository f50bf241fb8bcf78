import type { Page } from "playwright-core";
import { signIn, startBrowser, startConsoleServer } from "../tests/support/console";

/**
 * bench:console — the crews' views with 10,000 nodes: the server's time for the nodes list's
 * first page (worst first, with problem counts), a filtered page, a deep page, and a node's
 * 7-day chart query (168 hourly buckets of each metric, read from the 1-hour rollups), each the
 * median of 20 calls through the HTTP app, with the time the database took
 * (Server-Timing) for the chart; then, in Chromium (Debian's, through playwright-core), the time
 * from opening the console at `#/nodes` to the list's first row on screen, and from the incidents
 * view to the first row after choosing "devices", each the median of 5 (desktop viewport, admin,
 * so the list spans all 10,000 nodes).
 *
 *   --nodes N (10000)  --history H (200: nodes given 7 days of hourly rollups, so the chart's
 *   table is not empty around the one charted)
 */
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const NODES = arg("nodes", 10_000);
const HISTORY = arg("history", 200);

async function main() {
  const server = await startConsoleServer();
  const { cloud } = server;
  const { client } = cloud.database;
  const now = Date.now();
  cloud.clock.now = now;
  const seeded = performance.now();
  // Places: one street, 10 communities, 10 compounds each, 10 buildings each.
  const placeRows: string[] = ["('st-b', null, 'street', '街道', 'st-b/', 0)"];
  for (let c = 0; c < 10; c++) {
    placeRows.push(`('cm-${c}', 'st-b', 'community', '社区 ${c}', 'st-b/cm-${c}/', 0)`);
    for (let p = 0; p < 10; p++) {
      placeRows.push(`('cp-${c}-${p}', 'cm-${c}', 'compound', '小区 ${c}-${p}', 'st-b/cm-${c}/cp-${c}-${p}/', 0)`);
      for (let b = 0; b < 10; b++) placeRows.push(`('bd-${c}-${p}-${b}', 'cp-${c}-${p}', 'building', '楼 ${c}-${p}-${b}', 'st-b/cm-${c}/cp-${c}-${p}/bd-${c}-${p}-${b}/', 0)`);
    }
  }
  await client.execute(`insert into places (id, parent_id, level, name, path, created_at) values ${placeRows.join(",")}`);
  const statements = [];
  for (let start = 0; start < NODES; start += 500) {
    const rows: string[] = [];
    for (let i = start; i < Math.min(NODES, start + 500); i++) {
      const building = `bd-${i % 10}-${Math.floor(i / 10) % 10}-${Math.floor(i / 100) % 10}`;
      const online = i % 97 === 0 ? 0 : 1;
      const fault = i % 211 === 0 ? 1 : 0;
      const rssi = i % 53 === 0 ? -86 : -60 - (i % 15);
      const heap = i % 149 === 0 ? 20_000 : 150_000 - (i % 1000);
      const outbox = i % 71 === 0 ? 7 : 0;
      const health = JSON.stringify({ heap: { freeBytes: heap, minFreeBytes: heap - 5000 }, rssiDbm: rssi, outbox: { depth: outbox, capacity: 32, alarms: 0 } });
      rows.push(
        `('node-${String(i).padStart(5, "0")}', '${building}', ${online}, '0.2.0', 1, ${now - 86_400_000}, ${now - (i % 60) * 1000}, 'sensor', ${online ? "null" : "'will'"}, 60000, ${now}, '${health}', 1, ${i}, ${fault}, ${now - i * 1000}, ${rssi}, ${heap}, ${outbox})`,
      );
    }
    statements.push(
      `insert into nodes (id, place_id, online, firmware, boot_id, first_seen_at, last_seen_at, kind, offline_reason, heartbeat_ms, last_health_at, health, health_boot, health_seq, sensor_fault, status_since, rssi_dbm, free_heap_bytes, outbox_depth) values ${rows.join(",")}`,
    );
  }
  await client.batch(statements, "write");
  const hour = 3_600_000;
  const metrics = ["heap.free", "heap.minFree", "rssi", "outbox", "smokeRaw", "temperatureC", "currentA"];
  for (let n = 0; n < HISTORY; n++) {
    const node = `node-${String(n * Math.floor(NODES / HISTORY)).padStart(5, "0")}`;
    const rows: string[] = [];
    for (let h = 0; h < 7 * 24; h++) {
      const bucket = Math.floor(now / hour) * hour - h * hour;
      for (const metric of metrics) rows.push(`('${node}', ${bucket}, '${metric}', 60, ${100 + h}, ${200 + h}, ${60 * (150 + h)})`);
    }
    await client.execute(`insert into telemetry_1h (node_id, bucket, metric, n, min, max, sum) values ${rows.join(",")}`);
  }
  const seedSeconds = (performance.now() - seeded) / 1000;

  const time = async (path: string, runs = 20) => {
    const durations: number[] = [];
    const db: number[] = [];
    let body: unknown;
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      const response = await cloud.get(path);
      body = await response.json();
      durations.push(performance.now() - started);
      const timing = /dur=([\d.]+)/.exec(response.headers.get("server-timing") ?? "");
      if (timing) db.push(Number(timing[1]));
      if (response.status !== 200) throw new Error(`${path}: ${response.status} ${JSON.stringify(body)}`);
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    return { ms: median(durations), dbMs: db.length ? median(db) : undefined, body };
  };

  const first = await time("/api/nodes?limit=50");
  const filtered = await time("/api/nodes?problems=weakRssi&limit=50");
  const deep = await time("/api/nodes?limit=50&offset=9000");
  const chartNode = `node-${String(0).padStart(5, "0")}`;
  const chart = await time(`/api/nodes/${chartNode}/series?window=7d`);
  const points = Object.values((chart.body as { metrics: Record<string, { t: number[] }> }).metrics).reduce((a, m) => a + m.t.length, 0);
  const counts = (first.body as { counts: Record<string, number> }).counts;
  const lines = [
    `bench:console — ${NODES.toLocaleString("en")} nodes in 1,000 buildings (seeded in ${seedSeconds.toFixed(1)} s), ${HISTORY} of them with 7 days of hourly rollups`,
    `problems: ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(", ")}`,
    `nodes list, first page of 50, worst first with counts: ${first.ms.toFixed(1)} ms (median of 20, server side)`,
    `nodes list, weak Wi-Fi only: ${filtered.ms.toFixed(1)} ms; page at offset 9,000: ${deep.ms.toFixed(1)} ms`,
    `7-day chart query for one node (${points} points over ${metrics.length} metrics): ${chart.ms.toFixed(2)} ms through the app, ${chart.dbMs?.toFixed(2)} ms in the database`,
  ];
  lines.push(...(await chromiumFirstRender(server)));
  process.stdout.write(`${lines.join("\n")}\n`);
  await server.close();
}

/** Resolves with performance.now() when the first node row is in the document (page time: 0 is the navigation's start). */
function firstRowAt(page: Page): Promise<number> {
  // A string, not a function: tsx would wrap a named inner function in a helper the page lacks.
  return page.evaluate(`new Promise((resolve) => {
    if (document.querySelector("sw-node-list [data-node]")) return resolve(performance.now());
    const observer = new MutationObserver(() => {
      if (!document.querySelector("sw-node-list [data-node]")) return;
      observer.disconnect();
      resolve(performance.now());
    });
    observer.observe(document, { childList: true, subtree: true });
  })`) as Promise<number>;
}

async function chromiumFirstRender(server: Awaited<ReturnType<typeof startConsoleServer>>): Promise<string[]> {
  const browser = await startBrowser();
  try {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: "zh-CN" });
    const page = await context.newPage();
    await signIn(page, server, { role: "admin", name: "bench" });
    // The first row is recorded by an observer installed before the app's script runs.
    await context.addInitScript(() => {
      const w = window as unknown as { firstRowMs?: number };
      const observer = new MutationObserver(() => {
        if (!document.querySelector("sw-node-list [data-node]")) return;
        w.firstRowMs = performance.now();
        observer.disconnect();
      });
      observer.observe(document, { childList: true, subtree: true });
    });
    const loads: number[] = [];
    const lists: number[] = [];
    for (let i = 0; i < 6; i++) {
      // A new query string makes it a full page load, not a hash change.
      await page.goto(`${server.url}/?run=${i}#/nodes`);
      await page.waitForFunction(() => (window as unknown as { firstRowMs?: number }).firstRowMs !== undefined);
      const [firstRow, list] = await page.evaluate(() => [
        (window as unknown as { firstRowMs: number }).firstRowMs,
        performance.getEntriesByType("resource").filter((e) => e.name.includes("/api/nodes?")).map((e) => (e as PerformanceResourceTiming).responseEnd - e.startTime)[0] ?? NaN,
      ]);
      // The first visit also fills the browser's cache with the script; it is not counted.
      if (i > 0) {
        loads.push(firstRow);
        lists.push(list);
      }
    }
    const switches: number[] = [];
    for (let i = 0; i < 5; i++) {
      await page.goto(`${server.url}/#/`);
      await page.locator("[data-live=live]").waitFor();
      const pending = firstRowAt(page);
      const started = await page.evaluate(() => {
        const at = performance.now();
        location.hash = "#/nodes";
        return at;
      });
      switches.push((await pending) - started);
    }
    const rows = await page.locator("[data-node]").count();
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    return [
      `Chromium, nodes list with ${rows} rows on its first page: opening the console at #/nodes → first row ${median(loads).toFixed(0)} ms (median of 5; /api/nodes took ${median(lists).toFixed(0)} ms of it)`,
      `Chromium, from the incidents view to the nodes list's first row: ${median(switches).toFixed(0)} ms (median of 5)`,
    ];
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
