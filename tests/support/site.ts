import { encodeMessage } from "../../shared/codec";
import type { AlarmMessage } from "../../shared/messages";
import { nodeTopic } from "../../shared/topics";
import type { Db } from "../../cloud/db/client";
import { assignNodePlace } from "../../cloud/nodes/queries";
import { createPlace } from "../../cloud/places/queries";
import type { TestCloud } from "./cloud";

/**
 * A small site: one street, one community, two compounds, three buildings with floors.
 *   st-1 / cm-1 / cp-1 / bd-1 / fl-1-3
 *                      / bd-2 / fl-2-5
 *               / cp-2 / bd-3
 */
export async function seedSite(db: Db): Promise<void> {
  const add = (id: string, parentId: string | null, level: Parameters<typeof createPlace>[1]["level"], name: string) => createPlace(db, { id, parentId, level, name }, 0);
  await add("st-1", null, "street", "Xinhua Street");
  await add("cm-1", "st-1", "community", "Heping Community");
  await add("cp-1", "cm-1", "compound", "No. 3 Compound");
  await add("bd-1", "cp-1", "building", "Building 1");
  await add("fl-1-3", "bd-1", "floor", "Floor 3");
  await add("bd-2", "cp-1", "building", "Building 2");
  await add("fl-2-5", "bd-2", "floor", "Floor 5");
  await add("cp-2", "cm-1", "compound", "No. 5 Compound");
  await add("bd-3", "cp-2", "building", "Building 3");
}

/**
 * A second community under the same street, which the crews scoped to cm-1 do not look after:
 *   st-1 / cm-2 / cp-9 / bd-9
 */
export async function seedOtherCommunity(db: Db, buildingName = "Building 9"): Promise<void> {
  await createPlace(db, { id: "cm-2", parentId: "st-1", level: "community", name: "Guangming Community" }, 0);
  await createPlace(db, { id: "cp-9", parentId: "cm-2", level: "compound", name: "No. 9 Compound" }, 0);
  await createPlace(db, { id: "bd-9", parentId: "cp-9", level: "building", name: buildingName }, 0);
}

/** Installs a node at a place before it is first heard from (provisioning's job once it lands). */
export async function placeNode(db: Db, nodeId: string, placeId: string, at = 0): Promise<void> {
  await assignNodePlace(db, nodeId, placeId, at);
}

export interface StaffSpec {
  name: string;
  role: string;
  scopes: string[];
  phone?: string;
  shifts?: Array<{ days: string[]; start: string; end: string }>;
}

/** Creates a person through the admin API; returns their id and bearer token. */
export async function addStaff(cloud: TestCloud, spec: StaffSpec): Promise<{ id: number; token: string }> {
  const response = await cloud.app.request("/api/staff", {
    method: "POST",
    headers: { authorization: `Bearer ${cloud.token}`, "content-type": "application/json" },
    body: JSON.stringify(spec),
  });
  if (response.status !== 201) throw new Error(`creating ${spec.name} answered ${response.status}: ${await response.text()}`);
  const body = (await response.json()) as { staff: { id: number }; token: string };
  return { id: body.staff.id, token: body.token };
}

/** The usual team for the seeded site. */
export async function seedTeam(cloud: TestCloud) {
  return {
    lead1: await addStaff(cloud, { name: "Lead B1", role: "building-lead", scopes: ["bd-1"] }),
    lead2: await addStaff(cloud, { name: "Lead B2", role: "building-lead", scopes: ["bd-2"] }),
    property: await addStaff(cloud, { name: "Property CP1", role: "property-staff", scopes: ["cp-1"], phone: "+8613800000001" }),
    grid: await addStaff(cloud, { name: "Grid CM1", role: "grid-worker", scopes: ["cm-1"] }),
    community: await addStaff(cloud, { name: "Community office", role: "community-office", scopes: ["cm-1"] }),
    street: await addStaff(cloud, { name: "Street office", role: "street-office", scopes: ["st-1"], phone: "+8613800000002" }),
    liaison: await addStaff(cloud, { name: "Fire liaison", role: "fire-liaison", scopes: ["st-1"], phone: "+8613800000003" }),
  };
}

let seq = 1000;

/** Sends an alarm through the ingest as a node would (validated, stored, then on to the feed). */
export async function nodeAlarm(cloud: TestCloud, nodeId: string, fields: Partial<AlarmMessage> = {}): Promise<string> {
  const message: AlarmMessage = {
    v: 1,
    node: nodeId,
    boot: 1,
    seq: seq++,
    t: 1000,
    type: "alarm",
    kind: "smoke",
    severity: "alarm",
    state: "raised",
    value: 950,
    unit: "raw",
    threshold: 700,
    ...fields,
  };
  return cloud.ingest.handle(nodeTopic(nodeId, "alarm"), new TextEncoder().encode(encodeMessage(message)));
}

/** A request as someone with `token`. */
export function as(cloud: TestCloud, token: string) {
  const call = async (method: string, path: string, body?: unknown) =>
    cloud.app.request(path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  return {
    get: (path: string) => call("GET", path),
    post: (path: string, body: unknown = {}) => call("POST", path, body),
    put: (path: string, body: unknown) => call("PUT", path, body),
  };
}

export interface IncidentBody {
  incident: { id: number; status: string; escalationStep: number; triggerCount: number; [key: string]: unknown };
  events: Array<{ at: string; type: string; actor: string; detail: Record<string, unknown> | null }>;
  deliveries: Array<{ channel: string; staffId: number | null; webhookId: number | null; purpose: string; tier: number; status: string; attempts: number; lastError: string | null }>;
}

export async function incident(cloud: TestCloud, id: number): Promise<IncidentBody> {
  const response = await cloud.get(`/api/incidents/${id}`);
  if (response.status !== 200) throw new Error(`GET incident ${id} answered ${response.status}`);
  return (await response.json()) as IncidentBody;
}

export async function incidents(cloud: TestCloud): Promise<Array<IncidentBody["incident"]>> {
  return ((await (await cloud.get("/api/incidents")).json()) as { incidents: Array<IncidentBody["incident"]> }).incidents;
}
