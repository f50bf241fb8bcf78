import type { incidents } from "../db/schema";

export type IncidentRow = typeof incidents.$inferSelect;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** An incident as the API, the live stream, webhooks and the staff app present it. */
export function toIncidentView(row: IncidentRow) {
  return {
    id: row.id,
    hazard: row.hazard,
    severity: row.severity,
    status: row.status,
    summary: row.summary,
    placeId: row.placeId,
    placePath: row.placePath,
    communityId: row.communityId,
    nodeId: row.nodeId,
    firstAlarmId: row.firstAlarmId,
    triggerCount: row.triggerCount,
    sourceClearedAt: iso(row.sourceClearedAt),
    escalationStep: row.escalationStep,
    reopenedCount: row.reopenedCount,
    openedAt: iso(row.openedAt)!,
    lastTriggerAt: iso(row.lastTriggerAt)!,
    firstNotifiedAt: iso(row.firstNotifiedAt),
    acknowledgedAt: iso(row.acknowledgedAt),
    acknowledgedBy: row.acknowledgedBy,
    dispatchedAt: iso(row.dispatchedAt),
    dispatchedBy: row.dispatchedBy,
    dispatchedTo: row.dispatchedTo ? (JSON.parse(row.dispatchedTo) as number[]) : null,
    resolvedAt: iso(row.resolvedAt),
    resolvedBy: row.resolvedBy,
    recheckDueAt: iso(row.recheckDueAt),
    recheckAssigneeId: row.recheckAssigneeId,
    recheckedAt: iso(row.recheckedAt),
    recheckedBy: row.recheckedBy,
  };
}

export type IncidentView = ReturnType<typeof toIncidentView>;
