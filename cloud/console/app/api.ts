import type { IncidentView } from "../../incidents/view";
import type { TokenOwner } from "../../auth/tokens";
import type { DeviceRow } from "../../fleet/devices";
import type { PlaceTreeNode } from "../../places/tree";
import type { MessageKey } from "./i18n/i18n";

/** What the server said went wrong, kept for the words shown (`messageKey`) and the crew's details. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  /** The catalogue message a person reads for this failure. */
  get messageKey(): MessageKey {
    if (this.status === 0) return "error.network";
    if (this.status === 401) return "error.unauthorized";
    if (this.status === 403) return /deactivated/i.test(this.message) ? "error.deactivated" : "error.forbidden";
    if (this.status === 404) return "error.notFound";
    if (this.status === 409) return "error.conflict";
    if (this.status === 400 || this.status === 413 || this.status === 422) return "error.invalid";
    return "error.server";
  }
}

/** Header the server requires on state-changing requests carried by the session cookie (auth/session-cookie.ts). */
const CSRF_HEADER = { "x-shouwang-console": "1" };

/** A JSON call to this cloud with the session cookie; a failure becomes an ApiError. */
export async function request<T>(method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE", path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: body === undefined ? { ...CSRF_HEADER } : { ...CSRF_HEADER, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiError(0, "network", (error as Error).message);
  }
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!response.ok) {
    const failure = (parsed ?? {}) as { error?: string; message?: string };
    throw new ApiError(response.status, failure.error ?? "http-error", failure.message ?? `${response.status} ${response.statusText}`);
  }
  return parsed as T;
}

export type Incident = IncidentView;
export type Responder = { id: number; name: string; role: string };
export interface IncidentDetail {
  incident: Incident;
  events: Array<{ at: string; type: string; actor: string; detail: unknown }>;
  deliveries: Array<{ id: number; channel: string; staffId: number | null; purpose: string; tier: number; status: string; attempts: number; createdAt: string; completedAt: string | null }>;
  places: Array<{ id: string; level: string; name: string }>;
  alarm: { kind: string; unit: string; threshold: number; firstValue: number; latestValue: number; latestAt: string; evidence: number[] | null } | null;
  reports: Array<{ id: number; reportedAt: string; description: string; category: string | null; photoUrl: string | null }>;
  people: Record<number, string>;
}
export type PlaceNode = PlaceTreeNode;
export type Me = { owner: TokenOwner };
export type { DeviceRow };
export type PlaceRow = { id: string; parentId: string | null; level: string; name: string; path: string };

/** The console's calls, typed by the server's own view types. */
export const api = {
  me: () => request<Me>("GET", "/api/me"),
  signIn: (token: string) => request<Me>("POST", "/auth/session", { token }),
  signOut: () => request<{ signedOut: true }>("POST", "/auth/sign-out"),
  incidents: (query: { status?: string[]; limit?: number } = {}) => {
    const params = new URLSearchParams();
    if (query.status?.length) params.set("status", query.status.join(","));
    if (query.limit) params.set("limit", String(query.limit));
    const qs = params.toString();
    return request<{ incidents: Incident[] }>("GET", `/api/incidents${qs ? `?${qs}` : ""}`);
  },
  device: (serialOrLabel: string) => request<{ device: DeviceRow }>("GET", `/api/fleet/devices/${encodeURIComponent(serialOrLabel)}`),
  install: (serialOrLabel: string, placeId: string) => request<{ device: DeviceRow }>("POST", "/api/fleet/installations", { device: serialOrLabel, placeId }),
  places: () => request<{ places: PlaceRow[] }>("GET", "/api/places"),
  incident: (id: number) => request<IncidentDetail>("GET", `/api/incidents/${id}`),
  responders: (id: number) => request<{ responders: Responder[] }>("GET", `/api/incidents/${id}/responders`),
  acknowledge: (id: number, note: string) => request<{ incident: Incident }>("POST", `/api/incidents/${id}/ack`, note ? { note } : {}),
  dispatch: (id: number, staffIds: number[], note: string) => request<{ incident: Incident }>("POST", `/api/incidents/${id}/dispatch`, note ? { staffIds, note } : { staffIds }),
  resolve: (id: number, note: string) => request<{ incident: Incident }>("POST", `/api/incidents/${id}/resolve`, { note }),
  recheck: (id: number, outcome: "ok" | "hazard-present", note: string) =>
    request<{ incident: Incident }>("POST", `/api/incidents/${id}/recheck`, note ? { outcome, note } : { outcome }),
  placeTree: () => request<{ places: PlaceNode[] }>("GET", "/api/place-tree"),
};
