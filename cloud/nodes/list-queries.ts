import { and, asc, count, desc, eq, gte, like, lt, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import { nodes, places } from "../db/schema";
import { scopeCondition } from "../places/scope";
import type { Viewer } from "../staff/viewer";

/**
 * Where a crew starts to worry. Wi-Fi below -80 dBm drops packets and reconnects (Espressif
 * rates -67 dBm good and -80 dBm the floor for a stable link); an ESP32 with less than 32 KiB of
 * free heap starts failing TLS handshakes and large allocations; a healthy node's outbox holds at
 * most the message in flight, so four waiting means the broker is not taking them.
 */
export const THRESHOLDS = { weakRssiDbm: -80, lowHeapBytes: 32 * 1024, outboxBacklog: 4 } as const;

export const NODE_PROBLEMS = ["offline", "fault", "lowHeap", "backlog", "weakRssi"] as const;
export type NodeProblem = (typeof NODE_PROBLEMS)[number];

const problemSql: Record<NodeProblem, SQL> = {
  offline: sql`${nodes.online} = 0`,
  fault: sql`${nodes.sensorFault} = 1`,
  lowHeap: sql`${nodes.freeHeapBytes} < ${THRESHOLDS.lowHeapBytes}`,
  backlog: sql`${nodes.outboxDepth} >= ${THRESHOLDS.outboxBacklog}`,
  weakRssi: sql`${nodes.rssiDbm} < ${THRESHOLDS.weakRssiDbm}`,
};

/** Worst first: each problem weighs more than all lighter ones together. */
const severity = sql`(case when ${problemSql.offline} then 16 else 0 end) + (case when ${problemSql.fault} then 8 else 0 end)
  + (case when ${problemSql.lowHeap} then 4 else 0 end) + (case when ${problemSql.backlog} then 2 else 0 end)
  + (case when ${problemSql.weakRssi} then 1 else 0 end)`;

export interface NodeFilter {
  /** Nodes installed in this place or anywhere inside it (its path). */
  placePath?: string;
  kind?: string;
  status?: "online" | "offline";
  firmware?: string;
  /** true: only nodes whose latest heartbeat reports a faulty sensor; false: only those without. */
  sensorFault?: boolean;
  /** Only nodes with every one of these problems. */
  problems?: NodeProblem[];
  /** Id starts with. */
  idPrefix?: string;
  limit: number;
  offset?: number;
}

export interface NodeRecord {
  id: string;
  kind: string | null;
  online: boolean;
  /** `will` or `missed-heartbeats` while offline. */
  offlineReason: string | null;
  /** Since when the node has been online or offline (null: not known). */
  statusSince: string | null;
  /** What is wrong, worst first; empty for a healthy node. */
  problems: NodeProblem[];
  firmware: string | null;
  bootId: number | null;
  place: { id: string; name: string; path: string } | null;
  sensorFault: boolean;
  heartbeatMs: number | null;
  health: Record<string, unknown> | null;
  readings: Record<string, number> | null;
  firstSeenAt: string;
  lastSeenAt: string;
  lastHealthAt: string | null;
}

const selection = {
  node: nodes,
  placeId: places.id,
  placeName: places.name,
  placePath: places.path,
};

type Row = { node: typeof nodes.$inferSelect; placeId: string | null; placeName: string | null; placePath: string | null };

function problemsOf(n: typeof nodes.$inferSelect): NodeProblem[] {
  const found: NodeProblem[] = [];
  if (!n.online) found.push("offline");
  if (n.sensorFault) found.push("fault");
  if (n.freeHeapBytes !== null && n.freeHeapBytes < THRESHOLDS.lowHeapBytes) found.push("lowHeap");
  if (n.outboxDepth !== null && n.outboxDepth >= THRESHOLDS.outboxBacklog) found.push("backlog");
  if (n.rssiDbm !== null && n.rssiDbm < THRESHOLDS.weakRssiDbm) found.push("weakRssi");
  return found;
}

function toRecord(row: Row): NodeRecord {
  const n = row.node;
  return {
    id: n.id,
    kind: n.kind,
    online: n.online,
    offlineReason: n.offlineReason,
    statusSince: n.statusSince === null ? null : new Date(n.statusSince).toISOString(),
    problems: problemsOf(n),
    firmware: n.firmware,
    bootId: n.bootId,
    place: row.placeId ? { id: row.placeId, name: row.placeName!, path: row.placePath! } : null,
    sensorFault: n.sensorFault,
    heartbeatMs: n.heartbeatMs,
    health: n.health ? (JSON.parse(n.health) as Record<string, unknown>) : null,
    readings: n.readings ? (JSON.parse(n.readings) as Record<string, number>) : null,
    firstSeenAt: new Date(n.firstSeenAt).toISOString(),
    lastSeenAt: new Date(n.lastSeenAt).toISOString(),
    lastHealthAt: n.lastHealthAt === null ? null : new Date(n.lastHealthAt).toISOString(),
  };
}

export interface NodePage {
  nodes: NodeRecord[];
  /** Nodes matching the filter, all pages together. */
  total: number;
  /** Within the viewer's scope and the place filter (the other filters aside): how many have each problem, and all. */
  counts: Record<NodeProblem | "all", number>;
}

/**
 * Nodes for maintenance crews, worst first (offline, then a faulty sensor, low heap, an outbox
 * backlog, weak Wi-Fi; longest in that state first), paged and filtered in SQL so a list over
 * 10,000 nodes answers in milliseconds. A staff member sees only nodes inside their places.
 */
export async function listNodes(db: Db, viewer: Viewer, filter: NodeFilter): Promise<NodePage> {
  const base: SQL[] = [];
  const scope = scopeCondition(viewer, places.path);
  if (scope) base.push(scope);
  if (filter.placePath !== undefined) base.push(like(places.path, `${filter.placePath}%`));
  const conditions = [...base];
  if (filter.kind !== undefined) conditions.push(eq(nodes.kind, filter.kind));
  if (filter.status !== undefined) conditions.push(eq(nodes.online, filter.status === "online"));
  if (filter.firmware !== undefined) conditions.push(eq(nodes.firmware, filter.firmware));
  if (filter.sensorFault !== undefined) conditions.push(eq(nodes.sensorFault, filter.sensorFault));
  if (filter.idPrefix !== undefined) conditions.push(and(gte(nodes.id, filter.idPrefix), lt(nodes.id, `${filter.idPrefix}\uffff`))!);
  for (const problem of filter.problems ?? []) conditions.push(problemSql[problem]);
  const where = conditions.length ? and(...conditions) : undefined;
  const rows = await db
    .select(selection)
    .from(nodes)
    .leftJoin(places, eq(nodes.placeId, places.id))
    .where(where)
    .orderBy(desc(severity), asc(sql`coalesce(${nodes.statusSince}, ${nodes.lastSeenAt})`), asc(nodes.id))
    .limit(filter.limit)
    .offset(filter.offset ?? 0);
  const [{ total }] = await db.select({ total: count() }).from(nodes).leftJoin(places, eq(nodes.placeId, places.id)).where(where);
  const sums = Object.fromEntries(NODE_PROBLEMS.map((p) => [p, sql<number>`coalesce(sum(case when ${problemSql[p]} then 1 else 0 end), 0)`]));
  const [tally] = await db
    .select({ all: count(), ...sums })
    .from(nodes)
    .leftJoin(places, eq(nodes.placeId, places.id))
    .where(base.length ? and(...base) : undefined);
  const counts = Object.fromEntries(Object.entries(tally).map(([k, v]) => [k, Number(v)])) as NodePage["counts"];
  return { nodes: rows.map(toRecord), total, counts };
}

export async function getNode(db: Db, nodeId: string): Promise<NodeRecord | null> {
  const [row] = await db.select(selection).from(nodes).leftJoin(places, eq(nodes.placeId, places.id)).where(eq(nodes.id, nodeId));
  return row ? toRecord(row) : null;
}
