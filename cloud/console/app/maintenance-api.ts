import type { AlarmRecord } from "../../alarms/alarm-record";
import type { CommandRecord } from "../../commands/queries";
import type { ElevatorRecord } from "../../elevators/queries";
import type { EventRecord } from "../../events/queries";
import type { NodePage, NodeProblem, NodeRecord } from "../../nodes/list-queries";
import type { CampaignSummary } from "../../ota/campaign-engine";
import type { OtaImage } from "../../ota/image-store";
import type { NodeSeries, SeriesWindow } from "../../telemetry/series";
import { request } from "./api";

/**
 * The console's calls for maintenance crews: nodes, their charts and commands, elevator locks,
 * and (admins) firmware updates. Typed by the server's own view types, imported as types only.
 */
export type { AlarmRecord, CommandRecord, ElevatorRecord, EventRecord, NodeProblem, NodeRecord, NodeSeries, SeriesWindow, CampaignSummary, OtaImage };

export interface NodeQuery {
  problems?: NodeProblem[];
  kind?: string;
  status?: "online" | "offline";
  firmware?: string;
  place?: string;
  q?: string;
  limit: number;
  offset: number;
}

export type NodeListAnswer = NodePage & { limit: number; offset: number; thresholds: { weakRssiDbm: number; lowHeapBytes: number; outboxBacklog: number } };

/** What a crew may ask a node to do (shared/messages.ts CommandMessage, less the envelope). */
export type CommandBody =
  | { op: "self-test" }
  | { op: "reboot" }
  | { op: "relay-test"; durationMs: number }
  | { op: "config"; config: Record<string, number> }
  | { op: "enable" }
  | { op: "disable" };

export interface CampaignNode {
  nodeId: string;
  stage: number;
  state: string;
  progress: number;
  reason: string | null;
  offers: number;
  offeredAt: string | null;
  deadlineAt: string | null;
  updatedAt: string;
}

function query(values: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value !== undefined && value !== "") params.set(key, String(value));
  const qs = params.toString();
  return qs ? `?${qs}` : "";
}

const node = (id: string) => `/api/nodes/${encodeURIComponent(id)}`;

export const nodesApi = {
  list: (q: NodeQuery) =>
    request<NodeListAnswer>("GET", `/api/nodes${query({ problems: q.problems?.join(","), kind: q.kind, status: q.status, firmware: q.firmware, place: q.place, q: q.q, limit: q.limit, offset: q.offset })}`),
  node: (id: string) => request<{ node: NodeRecord }>("GET", node(id)),
  series: (id: string, window: SeriesWindow) => request<{ nodeId: string } & NodeSeries>("GET", `${node(id)}/series?window=${window}`),
  alarms: (id: string, limit = 20) => request<{ alarms: AlarmRecord[] }>("GET", `${node(id)}/alarms?limit=${limit}`),
  commands: (id: string) => request<{ commands: CommandRecord[] }>("GET", `${node(id)}/commands`),
  command: (id: string, commandId: string) => request<{ command: CommandRecord }>("GET", `${node(id)}/commands/${encodeURIComponent(commandId)}`),
  send: (id: string, body: CommandBody) => request<{ command: CommandRecord }>("POST", `${node(id)}/commands`, body),
};

export const elevatorsApi = {
  list: (q: { place?: string; limit: number; offset: number }) =>
    request<{ elevators: ElevatorRecord[]; total: number; limit: number; offset: number }>("GET", `/api/elevators${query({ place: q.place, sort: "attention", limit: q.limit, offset: q.offset })}`),
  elevator: (id: string) => request<{ elevator: ElevatorRecord }>("GET", `/api/elevators/${encodeURIComponent(id)}`),
  events: (id: string, limit = 200) => request<{ events: EventRecord[] }>("GET", `/api/elevators/${encodeURIComponent(id)}/events?limit=${limit}`),
};

export const updatesApi = {
  images: () => request<{ images: OtaImage[] }>("GET", "/api/ota/images"),
  campaigns: () => request<{ campaigns: CampaignSummary[] }>("GET", "/api/ota/campaigns"),
  campaign: (id: string) => request<{ campaign: CampaignSummary }>("GET", `/api/ota/campaigns/${encodeURIComponent(id)}`),
  campaignNodes: (id: string, state?: string) => request<{ nodes: CampaignNode[] }>("GET", `/api/ota/campaigns/${encodeURIComponent(id)}/nodes${query({ state })}`),
  act: (id: string, action: "pause" | "resume" | "abort") => request<{ campaign: CampaignSummary }>("POST", `/api/ota/campaigns/${encodeURIComponent(id)}/${action}`),
};
