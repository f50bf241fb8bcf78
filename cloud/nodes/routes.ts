import { Hono } from "hono";
import { z } from "zod";
import { isNodeId } from "../../shared/protocol";
import { commandRoutes } from "../commands/routes";
import type { CommandPublisher } from "../commands/publisher";
import type { Db } from "../db/client";
import { listAlarms } from "../alarms/queries";
import { listEvents } from "../events/queries";
import { valid } from "../http/validate";
import { placePathOf } from "../places/path";
import { loadViewer, type ViewerVariables } from "../staff/load-viewer";
import { nodeSeries, SERIES_WINDOWS } from "../telemetry/series";
import { healthHistory, type HealthRow } from "./health-queries";
import { getNode, listNodes, NODE_PROBLEMS, THRESHOLDS } from "./list-queries";
import { nodeScope } from "./node-scope";

const PLACE_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const flag = z.enum(["true", "false"]).transform((v) => v === "true");
const whole = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** `GET /api/nodes` query: every filter the crews' list offers. */
export const nodeListQuery = z
  .object({
    place: z.string().regex(PLACE_ID, "place must be a place id").optional(),
    kind: z.string().regex(/^[a-z][a-z0-9-]{0,15}$/, "kind must be a node kind such as smoke").optional(),
    status: z.enum(["online", "offline"]).optional(),
    firmware: z.string().min(1).max(32).optional(),
    fault: flag.optional(),
    /** Comma-separated problems a node must all have: offline, fault, lowHeap, backlog, weakRssi. */
    problems: z
      .string()
      .transform((v) => v.split(",").filter(Boolean))
      .pipe(z.array(z.enum(NODE_PROBLEMS)))
      .optional(),
    q: z.string().regex(/^[a-z0-9-]{1,40}$/, "q must be the start of a node id").optional(),
    limit: whole(1, 1000).default(50),
    offset: whole(0, 1_000_000).default(0),
  })
  .strict();

const idParam = z.object({ id: z.string().refine(isNodeId, "not a valid node id") });

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

/**
 * Nodes for maintenance crews. Staff see and command only the nodes inside their places
 * (route policy scope "list" for the list, "node" for one node).
 */
export function nodeRoutes(deps: { db: Db; commands: CommandPublisher; now: () => number }) {
  const { db, now } = deps;
  const app = new Hono<{ Variables: ViewerVariables }>();

  /** Worst first, paged: `?place=&kind=&status=&firmware=&fault=&problems=lowHeap,weakRssi&q=&limit=&offset=`. */
  app.get("/", loadViewer(db), valid("query", nodeListQuery), async (c) => {
    const query = c.req.valid("query");
    let placePath: string | undefined;
    if (query.place !== undefined) {
      const path = await placePathOf(db, query.place);
      if (path === null) return c.json({ error: "not-found", message: `no place "${query.place}"` }, 404);
      placePath = path;
    }
    const page = await listNodes(db, c.get("viewer"), {
      placePath,
      kind: query.kind,
      status: query.status,
      firmware: query.firmware,
      sensorFault: query.fault,
      problems: query.problems,
      idPrefix: query.q,
      limit: query.limit,
      offset: query.offset,
    });
    return c.json({ ...page, limit: query.limit, offset: query.offset, thresholds: THRESHOLDS });
  });

  app.use("/:id", nodeScope(db, "id"));
  app.use("/:id/*", nodeScope(db, "id"));

  app.get("/:id", valid("param", idParam), async (c) => {
    const { id } = c.req.valid("param");
    const node = await getNode(db, id);
    return node ? c.json({ node }) : c.json({ error: "not-found", message: `no node "${id}"` }, 404);
  });

  /** Heartbeats newest first, as stored: `?since=<ISO time>&before=<id>&limit=` (default 500, at most 5000). */
  app.get(
    "/:id/health",
    valid("param", idParam),
    valid("query", z.object({ since: z.iso.datetime({ offset: true }).optional(), before: whole(1, Number.MAX_SAFE_INTEGER).optional(), limit: whole(1, 5000).default(500) })),
    async (c) => {
      const { id } = c.req.valid("param");
      const query = c.req.valid("query");
      const rows = await healthHistory(db, id, { since: query.since === undefined ? undefined : Date.parse(query.since), before: query.before, limit: query.limit });
      return c.json({ nodeId: id, health: rows.map(healthPoint) });
    },
  );

  /**
   * A chart's data, downsampled on the server from the rollups: `?window=1h|24h|7d`. Each metric
   * (heap.free, heap.minFree, rssi, outbox and every telemetry reading) as min, max and mean per
   * bucket, and the resets in the window with their reason.
   */
  app.get("/:id/series", valid("param", idParam), valid("query", z.object({ window: z.enum(SERIES_WINDOWS).default("24h") })), async (c) => {
    const { id } = c.req.valid("param");
    if (!(await getNode(db, id))) return c.json({ error: "not-found", message: `no node "${id}"` }, 404);
    const started = performance.now();
    const series = await nodeSeries(db, id, c.req.valid("query").window, now());
    c.header("Server-Timing", `db;dur=${(performance.now() - started).toFixed(2)}`);
    return c.json({ nodeId: id, ...series });
  });

  /** State events newest first: `?before=<id>&limit=` (default 100, at most 1000). */
  app.get(
    "/:id/events",
    valid("param", idParam),
    valid("query", z.object({ before: whole(1, Number.MAX_SAFE_INTEGER).optional(), limit: whole(1, 1000).default(100) })),
    async (c) => {
      const { id } = c.req.valid("param");
      const query = c.req.valid("query");
      return c.json({ events: await listEvents(db, id, { before: query.before, limit: query.limit }) });
    },
  );

  /**
   * The node's own alarms, newest first: `?before=<id>&limit=` (default 50, at most 500). The
   * fleet-wide `/api/alarms` is the admins'; this is the crew's view of one node inside their places.
   */
  app.get(
    "/:id/alarms",
    valid("param", idParam),
    valid("query", z.object({ before: whole(1, Number.MAX_SAFE_INTEGER).optional(), limit: whole(1, 500).default(50) })),
    async (c) => {
      const { id } = c.req.valid("param");
      if (!(await getNode(db, id))) return c.json({ error: "not-found", message: `no node "${id}"` }, 404);
      const query = c.req.valid("query");
      return c.json({ alarms: await listAlarms(db, { nodeId: id, before: query.before, limit: query.limit }) });
    },
  );

  app.route("/:id/commands", commandRoutes(deps));
  return app;
}
