import { and, inArray, isNull } from "drizzle-orm";
import type { Db } from "../db/client";
import { incidents, type IncidentStatus } from "../db/schema";
import type { Notifier } from "../notify/notifier";
import type { IncidentChange } from "../notify/message";
import { loadStaff } from "../staff/queries";
import { canSee, pathWithin, type Viewer } from "../staff/viewer";
import type { Scheduler } from "../time/scheduler";
import { DAY_MS, type IncidentConfig } from "./config";
import type { IncidentDesk } from "./desk";
import { ruleFor } from "../routing/rules";
import { getIncident, recordEvent, updateIncidentIf } from "./queries";
import { toIncidentView, type IncidentRow } from "./view";

/** Why an action was refused, as the API answers it. */
export class IncidentActionError extends Error {
  override name = "IncidentActionError";
  constructor(
    readonly status: 403 | 404 | 409 | 422,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ActionDeps {
  db: Db;
  scheduler: Scheduler;
  notifier: Notifier;
  desk: IncidentDesk;
  config: IncidentConfig;
}

/** The incident, if this viewer may see it: 404 when there is none, 403 when it lies outside their scope. */
export async function visibleIncident(db: Db, viewer: Viewer, id: number): Promise<IncidentRow> {
  const row = await getIncident(db, id);
  if (!row) throw new IncidentActionError(404, "not-found", `No incident ${id}.`);
  if (!canSee(viewer, row.placePath)) {
    throw new IncidentActionError(403, "outside-scope", `Incident ${id} is at a place outside your scope; only people responsible for that place can see or act on it.`);
  }
  return row;
}

function refuseState(row: IncidentRow, action: string, allowed: readonly IncidentStatus[]): never {
  throw new IncidentActionError(409, "wrong-state", `Cannot ${action} incident ${row.id}: it is ${row.status}; ${action} needs it ${allowed.join(" or ")}.`);
}

/**
 * The closed loop, one person's step at a time: open → acknowledged → dispatched → resolved →
 * rechecked. Each step is a guarded update (it only happens if the incident is still in the state
 * it was read in) and is recorded with who and when.
 */
export class IncidentActions {
  constructor(private readonly deps: ActionDeps) {}

  async acknowledge(viewer: Viewer, id: number, note?: string): Promise<IncidentRow> {
    const { db } = this.deps;
    const row = await visibleIncident(db, viewer, id);
    if (row.status !== "open") refuseState(row, "acknowledge", ["open"]);
    const now = this.deps.scheduler.now();
    const updated = await this.#move(row, ["open"], {
      status: "acknowledged",
      acknowledgedAt: row.acknowledgedAt ?? now,
      acknowledgedBy: viewer.actor,
      nextEscalationAt: null,
      updatedAt: now,
    });
    await this.#after(updated, viewer, "acknowledged", { note, afterMs: now - row.openedAt });
    return updated;
  }

  async dispatch(viewer: Viewer, id: number, staffIds: number[], note?: string): Promise<IncidentRow> {
    const { db } = this.deps;
    const row = await visibleIncident(db, viewer, id);
    const allowed: IncidentStatus[] = ["open", "acknowledged"];
    if (!allowed.includes(row.status)) refuseState(row, "dispatch", allowed);
    const ids = [...new Set(staffIds)];
    if (!ids.length) throw new IncidentActionError(422, "invalid-field", "Name at least one staff member to dispatch (staffIds).");
    const people = await loadStaff(db, { ids, activeOnly: true });
    const outside = ids.filter((sid) => !people.some((p) => p.id === sid && pathWithin(row.placePath, p.scopes.map((s) => s.path))));
    if (outside.length) {
      throw new IncidentActionError(422, "invalid-field", `Staff ${outside.join(", ")} do not exist, are inactive, or are not responsible for this place.`);
    }
    const now = this.deps.scheduler.now();
    const updated = await this.#move(row, allowed, {
      status: "dispatched",
      acknowledgedAt: row.acknowledgedAt ?? now,
      acknowledgedBy: row.acknowledgedBy ?? viewer.actor,
      dispatchedAt: now,
      dispatchedBy: viewer.actor,
      dispatchedTo: JSON.stringify(ids),
      nextEscalationAt: null,
      updatedAt: now,
    });
    await this.deps.desk.notifyStaff(updated, ids, "dispatch");
    await this.#after(updated, viewer, "dispatched", { to: ids, note });
    return updated;
  }

  async resolve(viewer: Viewer, id: number, options: { note?: string; recheckAssigneeId?: number; recheckAfterDays?: number } = {}): Promise<IncidentRow> {
    const { db, config } = this.deps;
    const row = await visibleIncident(db, viewer, id);
    const allowed: IncidentStatus[] = ["acknowledged", "dispatched"];
    if (!allowed.includes(row.status)) refuseState(row, "resolve", allowed);
    const { rule } = ruleFor(row.hazard, row.severity, { ackTimeoutMs: config.ackTimeoutMs, maxEscalations: config.maxEscalations });
    let assignee: number | null = null;
    if (rule.recheck) {
      if (options.recheckAssigneeId !== undefined) {
        const [person] = await loadStaff(db, { ids: [options.recheckAssigneeId], activeOnly: true });
        if (!person || !pathWithin(row.placePath, person.scopes.map((s) => s.path))) {
          throw new IncidentActionError(422, "invalid-field", `Staff ${options.recheckAssigneeId} cannot re-check this place (unknown, inactive or outside their scope).`);
        }
        assignee = person.id;
      } else {
        assignee = viewer.kind === "staff" ? viewer.staffId : await this.deps.desk.defaultRecheckAssignee(row);
      }
    }
    const now = this.deps.scheduler.now();
    const recheckAfterMs = options.recheckAfterDays !== undefined ? options.recheckAfterDays * DAY_MS : config.recheckAfterMs;
    const updated = await this.#move(row, allowed, {
      status: "resolved",
      openKey: null,
      resolvedAt: now,
      resolvedBy: viewer.actor,
      autoResolveAt: null,
      nextEscalationAt: null,
      recheckDueAt: rule.recheck ? now + recheckAfterMs : null,
      recheckAssigneeId: assignee,
      recheckNotifiedAt: null,
      updatedAt: now,
    });
    await this.#after(updated, viewer, "resolved", {
      note: options.note,
      // For a fire-class hazard this is the person's confirmation the node's "normal" can be trusted.
      sourceState: row.nodeId === null ? "n/a" : row.sourceClearedAt !== null ? "normal" : "still in alarm",
    });
    if (rule.recheck) {
      await recordEvent(db, { incidentId: id, at: now, type: "recheck-scheduled", actor: viewer.actor, detail: { dueAt: new Date(updated.recheckDueAt!).toISOString(), assignee } });
    }
    return updated;
  }

  async recheck(viewer: Viewer, id: number, outcome: "ok" | "hazard-present", note?: string): Promise<IncidentRow> {
    const { db } = this.deps;
    const row = await visibleIncident(db, viewer, id);
    if (row.status !== "resolved") refuseState(row, "re-check", ["resolved"]);
    if (row.recheckDueAt === null) throw new IncidentActionError(409, "no-recheck", `Incident ${id} needs no re-check (its hazard resolves itself).`);
    const now = this.deps.scheduler.now();
    if (outcome === "hazard-present") {
      await recordEvent(db, { incidentId: id, at: now, type: "recheck-failed", actor: viewer.actor, detail: { note } });
      const reopened = await this.deps.desk.reopenAfterRecheck(row, viewer.actor);
      if (!reopened) throw new IncidentActionError(409, "already-open", `Another incident for this hazard and place is already open; incident ${id} stays resolved.`);
      return reopened;
    }
    const updated = await this.#move(row, ["resolved"], { status: "rechecked", recheckedAt: now, recheckedBy: viewer.actor, updatedAt: now }, isNull(incidents.recheckedAt));
    await this.#after(updated, viewer, "rechecked", { note, daysAfterResolution: (now - row.resolvedAt!) / DAY_MS });
    return updated;
  }

  async #move(row: IncidentRow, from: readonly IncidentStatus[], changes: Record<string, unknown>, extraGuard?: ReturnType<typeof isNull>): Promise<IncidentRow> {
    const guard = extraGuard ? and(inArray(incidents.status, [...from]), extraGuard) : inArray(incidents.status, [...from]);
    const updated = await updateIncidentIf(this.deps.db, row.id, guard, changes);
    if (!updated) {
      throw new IncidentActionError(409, "changed-meanwhile", `Incident ${row.id} changed while you acted on it; reload it and try again.`);
    }
    return updated;
  }

  async #after(row: IncidentRow, viewer: Viewer, change: IncidentChange, detail: Record<string, unknown>): Promise<void> {
    await recordEvent(this.deps.db, { incidentId: row.id, at: this.deps.scheduler.now(), type: change, actor: viewer.actor, detail });
    this.deps.desk.rearm(row);
    await this.deps.notifier.incidentChanged(toIncidentView(row), change);
  }
}
