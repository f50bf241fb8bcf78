import { Hono, type Context } from "hono";
import { INCIDENT_STATUSES, type IncidentStatus } from "../db/schema";
import { sseRelay } from "../http/sse-relay";
import type { RoutingStage } from "../routing/stage";
import { placeLocation } from "../places/locations";
import { placesOnPath } from "../routing/queries";
import { listDeliveries } from "../notify/queries";
import { loadViewer, type ViewerVariables } from "../staff/load-viewer";
import { IncidentActionError, visibleIncident } from "./actions";
import { incidentToCap } from "./cap/cap";
import { communityMetrics } from "./metrics";
import { listEvents, listIncidents } from "./queries";
import { incidentContext, respondersFor } from "./detail";
import { toIncidentView } from "./view";

type Env = { Variables: ViewerVariables };

/** Incidents for the person asking: an admin sees all, a staff member those inside their scope. */
export function incidentRoutes(stage: RoutingStage) {
  const { db } = stage;
  const app = new Hono<Env>();
  app.use("*", loadViewer(db));
  app.onError((error, c) => {
    if (error instanceof IncidentActionError) return c.json({ error: error.code, message: error.message }, error.status);
    stage.log("error", "incident request failed", { method: c.req.method, path: c.req.path, error: error.message });
    return c.json({ error: "internal", message: "Something went wrong on our side; it has been logged." }, 500);
  });

  /** Newest first; `?status=open,acknowledged`, `?before=<id>`, `?limit=` 1–500. */
  app.get("/", async (c) => {
    const viewer = c.get("viewer");
    const status = c.req.query("status")?.split(",").filter(Boolean);
    if (status && !status.every((s) => (INCIDENT_STATUSES as readonly string[]).includes(s))) {
      return c.json({ error: "bad-request", message: `status must be among ${INCIDENT_STATUSES.join(", ")}` }, 400);
    }
    const before = c.req.query("before");
    const beforeId = before === undefined ? undefined : Number(before);
    if (beforeId !== undefined && !(Number.isSafeInteger(beforeId) && beforeId > 0)) return c.json({ error: "bad-request", message: "before must be a positive incident id" }, 400);
    const limit = Number(c.req.query("limit") ?? 100);
    if (!(Number.isInteger(limit) && limit >= 1 && limit <= 500)) return c.json({ error: "bad-request", message: "limit must be a whole number from 1 to 500" }, 400);
    const rows = await listIncidents(db, {
      scopePaths: viewer.kind === "staff" ? viewer.scopePaths : undefined,
      status: status as IncidentStatus[] | undefined,
      before: beforeId,
      limit,
    });
    return c.json({ incidents: rows.map(toIncidentView) });
  });

  /** Live: `incident` events for changes the viewer may see, `notification` events addressed to them. */
  app.get("/stream", (c) =>
    sseRelay(c, (send) => stage.hub.subscribe(c.get("viewer"), (event) => send({ event: event.event, id: event.id, data: JSON.stringify(event.data) }))),
  );

  /** `?from=&to=` ISO times (default: the last 30 days). */
  app.get("/metrics", async (c) => {
    const now = stage.scheduler.now();
    const from = c.req.query("from") ? Date.parse(c.req.query("from")!) : now - 30 * 86_400_000;
    const to = c.req.query("to") ? Date.parse(c.req.query("to")!) : now + 1;
    if (!Number.isFinite(from) || !Number.isFinite(to) || from >= to) return c.json({ error: "bad-request", message: "from and to must be ISO times with from before to" }, 400);
    return c.json({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), communities: await communityMetrics(db, c.get("viewer"), from, to) });
  });

  app.get("/:id", async (c) => {
    const row = await visibleIncident(db, c.get("viewer"), incidentId(c));
    const [events, deliveries] = await Promise.all([listEvents(db, row.id), listDeliveries(db, row.id)]);
    // Everyone named in the timeline, so the console can say who rather than "staff:3".
    const personIds = [
      ...deliveries.flatMap((d) => (d.staffId === null ? [] : [d.staffId])),
      ...events.flatMap((e) => {
        const detail = (e.detail ?? {}) as { staff?: number[]; to?: number[] };
        const actor = /^staff:(\d+)$/.exec(e.actor);
        return [...(detail.staff ?? []), ...(detail.to ?? []), ...(actor ? [Number(actor[1])] : [])];
      }),
      ...(row.dispatchedTo ? (JSON.parse(row.dispatchedTo) as number[]) : []),
    ];
    return c.json({ incident: toIncidentView(row), events, deliveries, ...(await incidentContext(db, row, personIds)) });
  });

  /** The people who could be dispatched: active, responsible for the incident's place (names and roles only). */
  app.get("/:id/responders", async (c) => {
    const row = await visibleIncident(db, c.get("viewer"), incidentId(c));
    return c.json({ responders: await respondersFor(db, row) });
  });

  /** The incident as an OASIS CAP 1.2 alert for city emergency platforms. */
  app.get("/:id/cap", async (c) => {
    const row = await visibleIncident(db, c.get("viewer"), incidentId(c));
    const chain = row.placePath ? await placesOnPath(db, row.placePath) : [];
    const location = row.placeId ? await placeLocation(db, row.placeId) : null;
    const xml = incidentToCap(row, chain, location, { ...stage.cap, utcOffsetMinutes: stage.config.utcOffsetMinutes });
    return c.body(xml, 200, { "content-type": "application/cap+xml; charset=utf-8" });
  });

  app.post("/:id/ack", async (c) => {
    const body = await jsonBody(c);
    const row = await stage.actions.acknowledge(c.get("viewer"), incidentId(c), optionalText(body.note, "note"));
    return c.json({ incident: toIncidentView(row) });
  });

  app.post("/:id/dispatch", async (c) => {
    const body = await jsonBody(c);
    const staffIds = body.staffIds;
    if (!Array.isArray(staffIds) || !staffIds.every((s) => Number.isSafeInteger(s) && (s as number) > 0)) {
      throw new IncidentActionError(422, "invalid-field", "staffIds must be a list of staff ids");
    }
    const row = await stage.actions.dispatch(c.get("viewer"), incidentId(c), staffIds as number[], optionalText(body.note, "note"));
    return c.json({ incident: toIncidentView(row) });
  });

  app.post("/:id/resolve", async (c) => {
    const body = await jsonBody(c);
    const assignee = body.recheckAssigneeId;
    if (assignee !== undefined && !(Number.isSafeInteger(assignee) && (assignee as number) > 0)) throw new IncidentActionError(422, "invalid-field", "recheckAssigneeId must be a staff id");
    const days = body.recheckAfterDays;
    if (days !== undefined && !(typeof days === "number" && days > 0 && days <= 365)) throw new IncidentActionError(422, "invalid-field", "recheckAfterDays must be a number of days from above 0 to 365");
    const row = await stage.actions.resolve(c.get("viewer"), incidentId(c), {
      note: optionalText(body.note, "note"),
      recheckAssigneeId: assignee as number | undefined,
      recheckAfterDays: days as number | undefined,
    });
    return c.json({ incident: toIncidentView(row) });
  });

  app.post("/:id/recheck", async (c) => {
    const body = await jsonBody(c);
    if (body.outcome !== "ok" && body.outcome !== "hazard-present") throw new IncidentActionError(422, "invalid-field", 'outcome must be "ok" or "hazard-present"');
    const row = await stage.actions.recheck(c.get("viewer"), incidentId(c), body.outcome, optionalText(body.note, "note"));
    return c.json({ incident: toIncidentView(row) });
  });

  return app;
}

function incidentId(c: Context<Env>): number {
  const id = Number(c.req.param("id"));
  if (!(Number.isSafeInteger(id) && id > 0)) throw new IncidentActionError(404, "not-found", `"${c.req.param("id")}" is not an incident id.`);
  return id;
}

async function jsonBody(c: Context<Env>): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (!text.trim()) return {};
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new IncidentActionError(422, "invalid-json", "The body must be a JSON object.");
}

function optionalText(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.length > 2000) throw new IncidentActionError(422, "invalid-field", `${name} must be text of at most 2000 characters`);
  return value;
}
