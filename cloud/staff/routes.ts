import { Hono, type Context } from "hono";
import { createStaffToken } from "../auth/tokens";
import { requireAdmin } from "../auth/require-admin";
import type { AuthVariables } from "../auth/require-token";
import type { Db } from "../db/client";
import { STAFF_ROLES, type StaffRole } from "../db/schema";
import { isMinuteOfDay, parseClock, type DutyWindow } from "./duty";
import { insertStaff, loadStaff, replaceScopes, replaceShifts, StaffError, updateStaff, type StaffRow } from "./queries";

const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const PHONE = /^\+[1-9]\d{6,14}$/;

/**
 * Staff accounts (admin only). A shift is `{ days: ["mon", …], start: "08:00", end: "20:00" }` in
 * the site's local time; `end` before `start` runs past midnight.
 */
export function staffRoutes(deps: { db: Db; now: () => number }) {
  const { db, now } = deps;
  const app = new Hono<{ Variables: AuthVariables }>();
  app.use("*", requireAdmin());
  app.onError((error, c) => {
    if (error instanceof StaffError) return c.json({ error: "invalid-field", message: error.message }, 422);
    throw error;
  });

  app.get("/", async (c) => c.json({ staff: (await loadStaff(db)).map(present) }));

  /** Creates a person with scope and shifts; answers with their token, shown this once. */
  app.post("/", async (c) => {
    const body = await objectBody(c);
    const role = body.role as StaffRole;
    if (typeof body.name !== "string" || !body.name.trim() || body.name.length > 100) throw new StaffError("name must be 1–100 characters");
    if (!STAFF_ROLES.includes(role)) throw new StaffError(`role must be one of ${STAFF_ROLES.join(", ")}`);
    if (body.phone !== undefined && (typeof body.phone !== "string" || !PHONE.test(body.phone))) throw new StaffError("phone must be an E.164 number such as +8613800000000");
    const scopes = placeIds(body.scopes);
    const shifts = body.shifts === undefined ? [] : parseShifts(body.shifts);
    const person = await insertStaff(db, { name: body.name.trim(), role, phone: (body.phone as string | undefined) ?? null }, now());
    await replaceScopes(db, person.id, scopes);
    await replaceShifts(db, person.id, shifts);
    const token = await createStaffToken(db, person.id, `staff ${person.id}`, now());
    const [loaded] = await loadStaff(db, { ids: [person.id] });
    return c.json({ staff: present(loaded), token }, 201);
  });

  app.put("/:id/scopes", async (c) => {
    const id = await existing(c);
    await replaceScopes(db, id, placeIds((await objectBody(c)).scopes));
    return c.json({ staff: present((await loadStaff(db, { ids: [id] }))[0]) });
  });

  app.put("/:id/shifts", async (c) => {
    const id = await existing(c);
    await replaceShifts(db, id, parseShifts((await objectBody(c)).shifts));
    return c.json({ staff: present((await loadStaff(db, { ids: [id] }))[0]) });
  });

  /**
   * Changes any of `active`, `name`, `role` and `phone` (null removes it). Deactivating refuses the
   * person's sessions and tokens at their next request (auth/sessions.ts), and keeps them, so
   * restoring the person lets them back in without a new link.
   */
  app.patch("/:id", async (c) => {
    const id = await existing(c);
    const body = await objectBody(c);
    const change: Partial<Pick<StaffRow, "name" | "role" | "phone" | "active">> = {};
    for (const key of Object.keys(body)) if (!["active", "name", "role", "phone"].includes(key)) throw new StaffError(`${key} cannot be changed here (active, name, role, phone)`);
    if ("active" in body) {
      if (typeof body.active !== "boolean") throw new StaffError("active must be true or false");
      change.active = body.active;
    }
    if ("name" in body) {
      if (typeof body.name !== "string" || !body.name.trim() || body.name.length > 100) throw new StaffError("name must be 1–100 characters");
      change.name = body.name.trim();
    }
    if ("role" in body) {
      if (!STAFF_ROLES.includes(body.role as StaffRole)) throw new StaffError(`role must be one of ${STAFF_ROLES.join(", ")}`);
      change.role = body.role as StaffRole;
    }
    if ("phone" in body) {
      if (body.phone !== null && (typeof body.phone !== "string" || !PHONE.test(body.phone))) throw new StaffError("phone must be an E.164 number such as +8613800000000, or null");
      change.phone = body.phone as string | null;
    }
    if (!Object.keys(change).length) throw new StaffError("nothing to change: give active, name, role or phone");
    await updateStaff(db, id, change);
    return c.json({ staff: present((await loadStaff(db, { ids: [id] }))[0]) });
  });

  /** Another token for the person (a new phone); earlier ones keep working. */
  app.post("/:id/tokens", async (c) => {
    const id = await existing(c);
    return c.json({ token: await createStaffToken(db, id, `staff ${id}`, now()) }, 201);
  });

  async function existing(c: Context): Promise<number> {
    const id = Number(c.req.param("id"));
    if (Number.isSafeInteger(id) && id > 0 && (await loadStaff(db, { ids: [id] })).length) return id;
    throw new StaffError(`no staff member ${c.req.param("id")}`);
  }

  return app;
}

/** A person as the API shows them: their phone only as whether there is one. */
export type StaffView = ReturnType<typeof present>;

function present(person: Awaited<ReturnType<typeof loadStaff>>[number]) {
  return {
    id: person.id,
    name: person.name,
    role: person.role,
    hasPhone: person.phone !== null,
    active: person.active,
    scopes: person.scopes.map((s) => s.placeId),
    shifts: person.shifts.map((s) => ({
      days: WEEKDAYS.filter((_, i) => (s.days & (1 << i)) !== 0),
      start: clock(s.startMinute),
      end: clock(s.endMinute),
    })),
  };
}

const clock = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;

async function objectBody(c: Context): Promise<Record<string, unknown>> {
  try {
    const body = (await c.req.json()) as unknown;
    if (body && typeof body === "object" && !Array.isArray(body)) return body as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new StaffError("the body must be a JSON object");
}

function placeIds(value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) throw new StaffError("scopes must be a list of place ids");
  return value as string[];
}

function parseShifts(value: unknown): DutyWindow[] {
  if (!Array.isArray(value) || value.length > 50) throw new StaffError("shifts must be a list (at most 50)");
  return value.map((shift, i) => {
    const s = shift as { days?: unknown; start?: unknown; end?: unknown };
    if (!Array.isArray(s.days) || !s.days.length || !s.days.every((d) => WEEKDAYS.includes(d as string))) {
      throw new StaffError(`shifts[${i}].days must list days among ${WEEKDAYS.join(", ")}`);
    }
    const start = typeof s.start === "string" ? parseClock(s.start) : null;
    const end = typeof s.end === "string" ? parseClock(s.end) : null;
    if (start === null || end === null || !isMinuteOfDay(start) || !isMinuteOfDay(end) || start === end) {
      throw new StaffError(`shifts[${i}] needs start and end as different HH:MM times`);
    }
    return { days: (s.days as string[]).reduce((mask, d) => mask | (1 << WEEKDAYS.indexOf(d)), 0), startMinute: start, endMinute: end };
  });
}
