import { Hono } from "hono";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { Db } from "../db/client";
import { loadViewer, type ViewerVariables } from "../staff/load-viewer";
import { canSee } from "../staff/viewer";
import { CATEGORY_WORDS } from "./categories";
import { reportForStaff, reportsOfIncident } from "./queries";

/**
 * Residents' reports for staff: the words, the choice tapped, when, and the photo. A photo is shown
 * only to a signed-in person whose scope holds the report's place (or an admin), never publicly;
 * it is served with no-store so a shared phone keeps no copy in its cache.
 */
export function staffReportRoutes(deps: { db: Db; dataDir: string }) {
  const app = new Hono<{ Variables: ViewerVariables }>();
  app.use("*", loadViewer(deps.db));

  /** `?incident=<id>`: the reports that went into an incident the viewer may see. */
  app.get("/", async (c) => {
    const incidentId = Number(c.req.query("incident"));
    if (!Number.isSafeInteger(incidentId) || incidentId <= 0) return c.json({ error: "bad-request", message: "incident must be an incident id" }, 400);
    const rows = await reportsOfIncident(deps.db, incidentId);
    const viewer = c.get("viewer");
    if (rows.length > 0 && !canSee(viewer, rows[0].placePath)) return c.json({ error: "forbidden", message: "This incident is outside your area." }, 403);
    return c.json({
      reports: rows.map((r) => ({
        id: r.id,
        reportedAt: new Date(r.createdAt).toISOString(),
        description: r.description,
        category: r.category,
        categoryWords: r.category && r.category in CATEGORY_WORDS ? CATEGORY_WORDS[r.category as keyof typeof CATEGORY_WORDS] : null,
        photoUrl: r.photoFile ? `/api/reports/${r.id}/photo` : null,
      })),
    });
  });

  app.get("/:id/photo", async (c) => {
    const id = Number(c.req.param("id"));
    const report = Number.isSafeInteger(id) && id > 0 ? await reportForStaff(deps.db, id) : undefined;
    if (!report) return c.json({ error: "not-found", message: "No such report." }, 404);
    if (!canSee(c.get("viewer"), report.placePath)) return c.json({ error: "forbidden", message: "This report is outside your area." }, 403);
    if (!report.photoFile) return c.json({ error: "not-found", message: "This report has no photo, or its photo was deleted after the retention period." }, 404);
    const path = join(deps.dataDir, "reports", report.photoFile);
    const info = await stat(path).catch(() => null);
    if (!info) return c.json({ error: "not-found", message: "The photo file is gone (deleted after the retention period)." }, 404);
    return new Response(Readable.toWeb(createReadStream(path)) as ReadableStream, {
      headers: { "content-type": report.photoType ?? "image/jpeg", "content-length": String(info.size), "cache-control": "private, no-store", "x-content-type-options": "nosniff" },
    });
  });
  return app;
}
