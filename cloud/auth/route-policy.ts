import { MAX_IMAGE_BYTES } from "../../shared/ota";
import { MAX_PHOTO_BYTES } from "../reports/photo";

/**
 * Who may call each HTTP route, declared in one table. `enforceRoutePolicy` applies it in front
 * of every handler, and tests/cloud/route-policy.test.ts walks the app's actual routes: a route
 * with no entry here fails that test and answers 404 until it has one, so nothing is ever open
 * by accident.
 *
 *   public  anyone, no credentials (the console page, health, residents' reports); such routes
 *           guard themselves (rate limits, unguessable tokens in the path)
 *   staff   an admin, or an active staff member; the handler keeps a staff member inside their
 *           own places, and `scope` says how (the test probes each kind)
 *   admin   admin tokens only: the fleet-wide views, the fleet itself, OTA, people, webhooks
 *
 * Nodes have no HTTP route: they speak MQTT only, under their own broker account.
 */
export type Access = "public" | "staff" | "admin";

/**
 * How a staff route confines a staff member (checked by the route-policy test):
 *   list      answers only what lies inside their places
 *   incident  `:id` is an incident; one outside their places is 403
 *   report    `:id` is a report; one outside their places is 403 (or `?incident=`)
 *   self      about the caller only
 *   node      `:id` / `:nodeId` is a node (an elevator, a capsule); one outside their places is 403
 */
export type StaffScope = "list" | "incident" | "report" | "self" | "node";

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RoutePolicy {
  method: Method;
  /** The route's path as Hono writes it (`/api/incidents/:id`). */
  path: string;
  access: Access;
  scope?: StaffScope;
  /** Largest request body accepted; DEFAULT_BODY_BYTES unless said. Checked before anything is parsed. */
  maxBodyBytes?: number;
}

/** Every JSON body the API takes is a few hundred bytes; 64 KiB leaves room and refuses a 10 MB one at the door. */
export const DEFAULT_BODY_BYTES = 64 * 1024;
/** Multipart framing and the release JSON beside a file. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

const route = (method: Method, path: string, access: Access, extra: Partial<RoutePolicy> = {}): RoutePolicy => ({ method, path, access, ...extra });
const staff = (method: Method, path: string, scope: StaffScope, extra: Partial<RoutePolicy> = {}) => route(method, path, "staff", { scope, ...extra });
const admin = (method: Method, path: string, extra: Partial<RoutePolicy> = {}) => route(method, path, "admin", extra);

export const ROUTE_POLICIES: readonly RoutePolicy[] = [
  // The console page and its health check; the page's data needs a token.
  route("GET", "/", "public"),
  route("GET", "/healthz", "public"),
  route("GET", "/console/app.js", "public"),
  // Signing in spends a one-time link (its secret is the credential); signing out ends this browser's session.
  route("POST", "/auth/session", "public"),
  route("POST", "/auth/sign-out", "public"),
  // Residents report without an account (rate-limited per address; the token in the path is unguessable).
  route("POST", "/reports", "public", { maxBodyBytes: MAX_PHOTO_BYTES + FORM_OVERHEAD_BYTES }),
  route("GET", "/reports/:token", "public"),
  // The makers' flashing page and what it loads: admins only, since a fleet build may carry a batch's claim settings.
  admin("GET", "/flash"),
  admin("GET", "/flash/tools/:file"),
  admin("GET", "/flash/:kind/:version/:file"),
  // The resident's page behind a placard's QR code, and the page that follows a report.
  route("GET", "/r/status", "public"),
  route("GET", "/r/:code", "public"),

  // Incidents and reports: staff inside their places.
  staff("GET", "/api/incidents", "list"),
  staff("GET", "/api/incidents/stream", "list"),
  staff("GET", "/api/incidents/metrics", "list"),
  staff("GET", "/api/incidents/:id", "incident"),
  staff("GET", "/api/incidents/:id/cap", "incident"),
  staff("GET", "/api/incidents/:id/responders", "incident"),
  // The console's place tree: the viewer's places, with counts from inside them only.
  staff("GET", "/api/place-tree", "list"),
  staff("POST", "/api/incidents/:id/ack", "incident"),
  staff("POST", "/api/incidents/:id/dispatch", "incident"),
  staff("POST", "/api/incidents/:id/resolve", "incident"),
  staff("POST", "/api/incidents/:id/recheck", "incident"),
  staff("GET", "/api/reports", "report"),
  staff("GET", "/api/reports/:id/photo", "report"),
  staff("GET", "/api/me", "self"),

  // Fleet-wide views.
  admin("GET", "/api/alarms"),
  admin("GET", "/api/alarms/stream"),
  admin("GET", "/api/ingest/stats"),

  // Nodes, elevator locks and capsules, for maintenance crews and capsule keepers inside their places.
  staff("GET", "/api/nodes", "list"),
  staff("GET", "/api/nodes/:id", "node"),
  staff("GET", "/api/nodes/:id/health", "node"),
  staff("GET", "/api/nodes/:id/series", "node"),
  staff("GET", "/api/nodes/:id/events", "node"),
  staff("POST", "/api/nodes/:id/commands", "node"),
  staff("GET", "/api/nodes/:id/commands", "node"),
  staff("GET", "/api/nodes/:id/commands/:commandId", "node"),
  staff("GET", "/api/elevators", "list"),
  staff("GET", "/api/elevators/:nodeId", "node"),
  staff("GET", "/api/elevators/:nodeId/events", "node"),
  staff("GET", "/api/capsules", "list"),
  staff("GET", "/api/capsules/:nodeId", "node"),
  staff("GET", "/api/capsules/:nodeId/events", "node"),
  staff("GET", "/api/capsules/:nodeId/supplies", "node"),
  staff("POST", "/api/capsules/:nodeId/supplies", "node"),
  staff("PATCH", "/api/capsules/:nodeId/supplies/:id", "node"),
  staff("DELETE", "/api/capsules/:nodeId/supplies/:id", "node"),
  staff("GET", "/api/supplies/expiring", "list"),
  staff("GET", "/api/places", "list"),

  // The fleet and its updates: moving a node moves where its fire alarms go (issue 12).
  admin("GET", "/api/fleet/batches"),
  admin("GET", "/api/fleet/batches/:batch/devices"),
  admin("GET", "/api/fleet/devices/:device"),
  admin("POST", "/api/fleet/installations"),
  admin("POST", "/api/ota/images", { maxBodyBytes: MAX_IMAGE_BYTES + FORM_OVERHEAD_BYTES }),
  admin("GET", "/api/ota/images"),
  admin("POST", "/api/ota/campaigns"),
  admin("GET", "/api/ota/campaigns"),
  admin("GET", "/api/ota/campaigns/:id"),
  admin("GET", "/api/ota/campaigns/:id/nodes"),
  admin("POST", "/api/ota/campaigns/:id/pause"),
  admin("POST", "/api/ota/campaigns/:id/resume"),
  admin("POST", "/api/ota/campaigns/:id/abort"),

  // People, channels and places.
  admin("GET", "/api/staff"),
  admin("POST", "/api/staff"),
  admin("PUT", "/api/staff/:id/scopes"),
  admin("PUT", "/api/staff/:id/shifts"),
  admin("PATCH", "/api/staff/:id"),
  admin("POST", "/api/staff/:id/tokens"),
  admin("GET", "/api/webhooks"),
  admin("POST", "/api/webhooks"),
  admin("PATCH", "/api/webhooks/:id"),
  admin("PUT", "/api/places/:id/location"),
  // Console sign-in: one-time links for people, and their sessions (revocable).
  admin("POST", "/api/sign-in-links"),
  admin("GET", "/api/sessions"),
  admin("DELETE", "/api/sessions/:id"),

  // ── notify, channels and routing gaps (issue 14): add this area's routes below this line ──
  // Places' group-chat robots (their URLs and secrets are credentials: admins only, never shown back).
  admin("GET", "/api/chat-robots"),
  admin("POST", "/api/chat-robots"),
  admin("PATCH", "/api/chat-robots/:id"),
  admin("POST", "/api/chat-robots/:id/test"),
  // Rounds that reached nobody (their detail names people and what each lacked).
  admin("GET", "/api/routing-gaps"),
  admin("POST", "/api/routing-gaps/:id/close"),
  // The console's service worker (shows pushed notifications); a script, no data.
  route("GET", "/sw.js", "public"),
  // Web Push: a staff member's own browsers (the key is public; a subscription is the caller's own).
  staff("GET", "/api/push/key", "self"),
  staff("POST", "/api/push/subscriptions", "self"),
  staff("DELETE", "/api/push/subscriptions", "self"),


  // ── console part 2 — nodes, elevators, updates (issue 16): add this area's routes below this line ──
  // A node's alarms for the crew's node page (the fleet-wide /api/alarms stays the admins').
  staff("GET", "/api/nodes/:id/alarms", "node"),


  // ── console part 2 — capsules, fleet, staff (issue 16): add this area's routes below this line ──


  // ── incidents, more (issue 11): add this area's routes below this line ──

];
