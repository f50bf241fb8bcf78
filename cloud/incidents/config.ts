/** Timing of the incident stage; every value can be set per deployment (env) or per test. */
export interface IncidentConfig {
  /** No acknowledgement within this → next tier (issue default: 60 s). */
  ackTimeoutMs: number;
  maxEscalations: number;
  /** A self-clearing hazard must read normal this long before it resolves itself. */
  clearHoldMs: number;
  /** A reopen within this of the last notification is not notified again (flapping). */
  flapWindowMs: number;
  recheckAfterMs: number;
  /** The site's offset from UTC, for duty rosters and CAP times (China: +480). */
  utcOffsetMinutes: number;
  /** Fold updates to the console stream at most this often per incident. */
  foldBroadcastMs: number;
  /** The desk works this long before letting the event loop turn (sockets, PUBACKs, the API). */
  deskSliceMs: number;
  /**
   * With more than `deskBacklogGroups` incidents waiting in its main lane, the desk works this long
   * instead: a city's fires at once are worth a longer turn (bench:storm: 20 ms slices left the
   * desk about a fifth of the loop while the fleet reconnected).
   */
  deskBacklogSliceMs: number;
  deskBacklogGroups: number;
}

export const DAY_MS = 86_400_000;

export const DEFAULT_INCIDENT_CONFIG: IncidentConfig = {
  ackTimeoutMs: 60_000,
  maxEscalations: 3,
  clearHoldMs: 60_000,
  flapWindowMs: 10 * 60_000,
  recheckAfterMs: 7 * DAY_MS,
  utcOffsetMinutes: 480,
  foldBroadcastMs: 1000,
  deskSliceMs: 20,
  deskBacklogSliceMs: 40,
  deskBacklogGroups: 20,
};
