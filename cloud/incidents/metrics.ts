import type { Db } from "../db/client";
import { canSee, type Viewer } from "../staff/viewer";
import { incidentsOpenedBetween } from "./queries";
import type { IncidentRow } from "./view";

export interface Durations {
  count: number;
  medianMs: number | null;
  p90Ms: number | null;
  meanMs: number | null;
}

export interface CommunityMetrics {
  communityId: string | null;
  incidents: number;
  stillOpen: number;
  timeToNotify: Durations;
  timeToAcknowledge: Durations;
  timeToResolve: Durations;
  /** Incidents that came back at least once, and how many comebacks in all. */
  reopenedIncidents: number;
  reopenings: number;
}

/**
 * Per community, for incidents opened in [fromMs, toMs): how long until the first person was
 * reached, until someone acknowledged, until it was resolved; and how many came back.
 */
export async function communityMetrics(db: Db, viewer: Viewer, fromMs: number, toMs: number): Promise<CommunityMetrics[]> {
  const rows = (await incidentsOpenedBetween(db, fromMs, toMs)).filter((r) => canSee(viewer, r.placePath));
  const byCommunity = new Map<string | null, IncidentRow[]>();
  for (const row of rows) {
    const list = byCommunity.get(row.communityId);
    if (list) list.push(row);
    else byCommunity.set(row.communityId, [row]);
  }
  return [...byCommunity.entries()]
    .sort(([a], [b]) => String(a).localeCompare(String(b)))
    .map(([communityId, list]) => ({
      communityId,
      incidents: list.length,
      stillOpen: list.filter((r) => r.openKey !== null).length,
      timeToNotify: durations(list.map((r) => (r.firstNotifiedAt === null ? null : r.firstNotifiedAt - r.openedAt))),
      timeToAcknowledge: durations(list.map((r) => (r.acknowledgedAt === null ? null : r.acknowledgedAt - r.openedAt))),
      timeToResolve: durations(list.map((r) => (r.resolvedAt === null ? null : r.resolvedAt - r.openedAt))),
      reopenedIncidents: list.filter((r) => r.reopenedCount > 0).length,
      reopenings: list.reduce((sum, r) => sum + r.reopenedCount, 0),
    }));
}

function durations(values: Array<number | null>): Durations {
  const known = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (!known.length) return { count: 0, medianMs: null, p90Ms: null, meanMs: null };
  const at = (q: number) => known[Math.min(known.length - 1, Math.ceil(q * known.length) - 1)];
  return { count: known.length, medianMs: at(0.5), p90Ms: at(0.9), meanMs: Math.round(known.reduce((a, b) => a + b, 0) / known.length) };
}
