import { Hono } from "hono";
import { isNodeId } from "../../shared/protocol";
import type { AuthVariables } from "../auth/require-token";
import { commandRoutes } from "../commands/routes";
import type { CommandPublisher } from "../commands/publisher";
import type { Db } from "../db/client";
import { listEvents } from "../events/queries";
import { healthHistory, type HealthRow } from "./health-queries";
import { getNode, listNodes, type NodeFilter } from "./list-queries";

type Query = (name: string) => string | undefined;
type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

function parseFilter(query: Query): Parsed<NodeFilter> {
  const filter: NodeFilter = { limit: 500 };
  const place = query("place");
  if (place !== undefined) {
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(place)) return { ok: false, message: "place must be a place id" };
    filter.placeId = place;
  }
  const kind = query("kind");
  if (kind !== undefined) {
    if (!/^[a-z][a-z0-9-]{0,15}$/.test(kind)) return { ok: false, message: "kind must be a node kind such as smoke" };
    filter.kind = kind;
  }
  const status = query("status");
  if (status !== undefined) {
    if (status !== "online" && status !== "offline") return { ok: false, message: "status must be online or offline" };
    filter.status = status;
  }
  const firmware = query("firmware");
  if (firmware !== undefined) {
    if (firmware.length === 0 || firmware.length > 32) return { ok: false, message: "firmware must be a version string" };
    filter.firmware = firmware;
  }
  const fault = query("fault");
  if (fault !== undefined) {
    if (fault !== "true" && fault !== "false") return { ok: false, message: "fault must be true or false" };
    filter.sensorFault = fault === "true";
  }
  const limit = query("limit");
  if (limit !== undefined) {
    const value = Number(limit);
    if (!(Number.isInteger(value) && value >= 1 && value <= 1000)) return { ok: false, message: "limit must be a whole number from 1 to 1000" };
    filter.limit = value;
  }
  return { ok: true, value: filter };
}

function positiveInteger(raw: string | undefined, name: string, max = Number.MAX_SAFE_INTEGER): Parsed<number | undefined> {
  if (raw === undefined) return { ok: true, value: undefined };
  const value = Number(raw);
  if (!(Number.isSafeInteger(value) && value >= 1 && value <= max)) return { ok: false, message: `${name} must be a whole number from 1 to ${max}` };
  return { ok: true, value };
}

function healthPoint(row: HealthRow) {
  return {
    id: row.id,
    bootId: row.bootId,
    seq: row.seq,
    uptimeMs: row.uptimeMs,
    firmware: row.firmware,
    freeHeapBytes: row.freeHeapBytes,
    minFreeHeapBytes: row.minFreeHeapBytes,
    rssiDbm: row.rssiDbm,
    resetReason: row.resetReason,
    outboxDepth: row.outboxDepth,
    outboxAlarms: row.outboxAlarms,
    dropped: { telemetry: row.droppedTelemetry, event: row.droppedEvents, alarm: row.droppedAlarms },
    sensors: JSON.parse(row.sensors) as Record<string, string>,
    sensorFault: row.sensorFault,
    lastError: row.lastError,
    receivedAt: new Date(row.receivedAt).toISOString(),
  };
}

export function nodeRoutes(deps: { db: Db; commands: CommandPublisher; now: () => number }) {
  const { db } = deps;
  const app = new Hono<{ Variables: AuthVariables }>();
  const bad = (message: string) => ({ error: "bad-request", message });

  /** `?place=&kind=&status=online|offline&firmware=&fault=true|false&limit=`: offline and faulty first. */
  app.get("/", async (c) => {
    const filter = parseFilter((name) => c.req.query(name));
    if (!filter.ok) return c.json(bad(filter.message), 400);
    const found = await listNodes(db, filter.value);
    if (!found) return c.json({ error: "not-found", message: `no place "${filter.value.placeId}"` }, 404);
    return c.json({ nodes: found });
  });

  app.get("/:id", async (c) => {
    const id = c.req.param("id");
    if (!isNodeId(id)) return c.json(bad("not a valid node id"), 400);
    const node = await getNode(db, id);
    return node ? c.json({ node }) : c.json({ error: "not-found", message: `no node "${id}"` }, 404);
  });

  /** Heartbeats newest first, for a chart: `?since=<ISO time>&before=<id>&limit=` (default 500, at most 5000). */
  app.get("/:id/health", async (c) => {
    const id = c.req.param("id");
    if (!isNodeId(id)) return c.json(bad("not a valid node id"), 400);
    const sinceRaw = c.req.query("since");
    const since = sinceRaw === undefined ? undefined : Date.parse(sinceRaw);
    if (since !== undefined && Number.isNaN(since)) return c.json(bad("since must be an ISO 8601 time"), 400);
    const before = positiveInteger(c.req.query("before"), "before");
    if (!before.ok) return c.json(bad(before.message), 400);
    const limit = positiveInteger(c.req.query("limit"), "limit", 5000);
    if (!limit.ok) return c.json(bad(limit.message), 400);
    const rows = await healthHistory(db, id, { since, before: before.value, limit: limit.value ?? 500 });
    return c.json({ nodeId: id, health: rows.map(healthPoint) });
  });

  /** State events newest first: `?before=<id>&limit=` (default 100, at most 1000). */
  app.get("/:id/events", async (c) => {
    const id = c.req.param("id");
    if (!isNodeId(id)) return c.json(bad("not a valid node id"), 400);
    const before = positiveInteger(c.req.query("before"), "before");
    if (!before.ok) return c.json(bad(before.message), 400);
    const limit = positiveInteger(c.req.query("limit"), "limit", 1000);
    if (!limit.ok) return c.json(bad(limit.message), 400);
    return c.json({ events: await listEvents(db, id, { before: before.value, limit: limit.value ?? 100 }) });
  });

  app.route("/:id/commands", commandRoutes(deps));
  return app;
}
