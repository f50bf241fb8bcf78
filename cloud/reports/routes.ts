import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { hashToken } from "../auth/tokens";
import { isLatLon, nearestPlace } from "../places/locations";
import type { RoutingStage } from "../routing/stage";
import { cleanPhoto, detectPhotoType, MAX_PHOTO_BYTES, storePhoto } from "./photo";
import { placardPlace } from "./placards";
import { insertReport, linkReport, reportStatus } from "./queries";
import { CATEGORY_WORDS, isReportCategory, REPORT_CATEGORIES, type ReportCategory } from "./categories";

/** A report by coordinates goes to the nearest located place within this distance. */
const MAX_PLACE_DISTANCE_M = 300;
const MAX_DESCRIPTION_CHARS = 2000;
/** How long the POST waits for the report to become an incident before answering anyway. */
const ROUTE_WAIT_MS = 5000;

/**
 * Resident hazard reports: no account needed. Each client address may file a few per hour; the
 * answer carries an unguessable token (192 random bits, stored hashed) with which the reporter,
 * and only they, follow what happened.
 */
export function reportRoutes(stage: RoutingStage) {
  const { db } = stage;
  const app = new Hono();

  app.post(
    "/",
    bodyLimit({
      maxSize: MAX_PHOTO_BYTES + 64 * 1024,
      onError: (c) => c.json({ error: "too-large", message: `A report with its photo may be at most ${MAX_PHOTO_BYTES / 1024 / 1024} MiB.` }, 413),
    }),
    async (c) => {
      const allowed = stage.reportLimiter.take(clientAddress(c));
      if (!allowed.ok) return tooMany(c, allowed.retryAfterS, "Too many reports from here; try again later, or call 119 in an emergency.");

      const form = await readReport(c);
      if ("error" in form) return c.json({ error: "invalid-field", message: form.error }, 422);
      const written = form.description.trim();
      if (written.length > MAX_DESCRIPTION_CHARS || (!written && !form.category)) {
        return c.json({ error: "invalid-field", message: `Tap what you saw or describe it (up to ${MAX_DESCRIPTION_CHARS} characters)` }, 422);
      }
      // What staff read: the resident's words, or the choice they tapped when they wrote none.
      const description = written || CATEGORY_WORDS[form.category!].zh;

      let placeId: string;
      let location: { latitude: number; longitude: number } | null = null;
      if (form.placard !== undefined) {
        // A placard's code, never a place id: ids are short names anyone could walk through.
        const place = await placardPlace(db, form.placard);
        if (!place) return c.json({ error: "unknown-placard", message: "This QR code is no longer in use; scan the placard again or ask the community office." }, 422);
        placeId = place.placeId;
        // The reporter may also share where they stand (the page asks first); kept for staff, never shown publicly.
        if (form.latitude !== undefined && form.longitude !== undefined && isLatLon(form)) location = { latitude: form.latitude, longitude: form.longitude };
      } else if (form.latitude !== undefined && form.longitude !== undefined && isLatLon(form)) {
        location = { latitude: form.latitude, longitude: form.longitude };
        const nearest = await nearestPlace(db, location, MAX_PLACE_DISTANCE_M);
        if (!nearest) return c.json({ error: "unknown-location", message: `No community place is known within ${MAX_PLACE_DISTANCE_M} m of that point; choose a place instead.` }, 422);
        placeId = nearest.placeId;
      } else {
        return c.json({ error: "invalid-field", message: "Give the placard's code (placard), or latitude and longitude (WGS 84 degrees)." }, 422);
      }

      let photo: { file: string; type: string; bytes: number } | null = null;
      if (form.photo) {
        const bytes = new Uint8Array(await form.photo.arrayBuffer());
        if (bytes.byteLength === 0 || bytes.byteLength > MAX_PHOTO_BYTES) {
          return c.json({ error: "invalid-photo", message: `The photo must be 1 byte to ${MAX_PHOTO_BYTES / 1024 / 1024} MiB.` }, 422);
        }
        const cleaned = detectPhotoType(bytes) ? await cleanPhoto(bytes) : null;
        if (!cleaned) return c.json({ error: "invalid-photo", message: "The photo must be a JPEG, PNG or WebP image." }, 422);
        photo = { file: await storePhoto(stage.dataDir, cleaned.bytes, cleaned.type), type: cleaned.type.mime, bytes: cleaned.bytes.byteLength };
      }

      const token = `rp_${randomBytes(24).toString("base64url")}`;
      const atMs = stage.scheduler.now();
      const reportId = await insertReport(db, {
        tokenHash: hashToken(token),
        placeId,
        latitude: location?.latitude ?? null,
        longitude: location?.longitude ?? null,
        description,
        category: form.category ?? null,
        photoFile: photo?.file ?? null,
        photoType: photo?.type ?? null,
        photoBytes: photo?.bytes ?? null,
        createdAt: atMs,
      });
      const incidentId = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => resolve(null), ROUTE_WAIT_MS);
        stage.desk.submit({
          source: "report",
          reportId,
          placeId,
          description,
          atMs,
          done: (id) => {
            clearTimeout(timer);
            resolve(id);
          },
        });
      });
      if (incidentId !== null) await linkReport(db, reportId, incidentId);
      else stage.log("error", "a resident report was stored but not yet routed", { report: reportId });
      return c.json({ token, status: incidentId !== null ? "routed" : "received", statusUrl: `/reports/${token}` }, 202);
    },
  );

  /** What became of a report: its steps and when, never who (staff names stay private). */
  app.get("/:token", async (c) => {
    const allowed = stage.statusLimiter.take(clientAddress(c));
    if (!allowed.ok) return tooMany(c, allowed.retryAfterS, "Too many look-ups from here; try again later.");
    const token = c.req.param("token");
    const found = /^rp_[A-Za-z0-9_-]{32}$/.test(token) ? await reportStatus(db, hashToken(token)) : undefined;
    if (!found) return c.json({ error: "not-found", message: "No report has that token." }, 404);
    const { report, incident, placeName } = found;
    const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());
    return c.json({
      reportedAt: iso(report.createdAt),
      place: placeName,
      description: report.description,
      category: report.category,
      photo: report.photoFile !== null,
      status: incident?.status ?? "received",
      steps: {
        acknowledgedAt: iso(incident?.acknowledgedAt),
        dispatchedAt: iso(incident?.dispatchedAt),
        resolvedAt: iso(incident?.resolvedAt),
        recheckDueAt: iso(incident?.recheckDueAt),
        recheckedAt: iso(incident?.recheckedAt),
      },
    });
  });

  return app;
}

type ReportForm = { description: string; placard?: string; category?: ReportCategory; latitude?: number; longitude?: number; photo?: File };

async function readReport(c: Context): Promise<ReportForm | { error: string }> {
  const type = c.req.header("content-type") ?? "";
  if (type.startsWith("application/json")) {
    let body: Record<string, unknown>;
    try {
      body = (await c.req.json()) as Record<string, unknown>;
    } catch {
      return { error: "The body is not valid JSON." };
    }
    if (!body || typeof body !== "object") return { error: "The body must be a JSON object." };
    return fields(body);
  }
  if (type.startsWith("multipart/form-data")) {
    const form = await c.req.parseBody();
    const photo = form.photo;
    if (photo !== undefined && !(photo instanceof File)) return { error: "photo must be a file" };
    const number = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? Number(v) : undefined);
    const parsed = fields({ description: form.description, placard: form.placard, category: form.category || undefined, latitude: number(form.latitude), longitude: number(form.longitude) });
    return "error" in parsed ? parsed : { ...parsed, photo: photo as File | undefined };
  }
  return { error: "Send the report as application/json, or multipart/form-data with a photo." };
}

function fields(body: Record<string, unknown>): ReportForm | { error: string } {
  if (body.description !== undefined && typeof body.description !== "string") return { error: "description must be text" };
  if (body.placard !== undefined && typeof body.placard !== "string") return { error: "placard must be the code from the placard's QR code" };
  if (body.category !== undefined && !isReportCategory(body.category)) return { error: `category must be one of ${REPORT_CATEGORIES.join(", ")}` };
  for (const name of ["latitude", "longitude"] as const) {
    if (body[name] !== undefined && (typeof body[name] !== "number" || !Number.isFinite(body[name]))) return { error: `${name} must be a number of degrees` };
  }
  return {
    description: (body.description as string | undefined) ?? "",
    placard: body.placard as string | undefined,
    category: body.category as ReportCategory | undefined,
    latitude: body.latitude as number | undefined,
    longitude: body.longitude as number | undefined,
  };
}

/** The peer address of the connection. A proxy in front would make every reporter look alike: see README. */
function clientAddress(c: Context): string {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? "unknown";
}

function tooMany(c: Context, retryAfterS: number, message: string) {
  c.header("retry-after", String(retryAfterS));
  return c.json({ error: "rate-limited", message }, 429);
}
