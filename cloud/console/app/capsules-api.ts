import type { CapsuleRecord } from "../../capsules/queries";
import type { CommandRecord } from "../../commands/queries";
import type { SupplyCategory } from "../../db/schema";
import type { ExpiringSupply } from "../../supplies/queries";
import type { SupplyInput, SupplyRecord } from "../../supplies/supply";
import { request } from "./api";

export type { CapsuleRecord, CommandRecord, ExpiringSupply, SupplyCategory, SupplyInput, SupplyRecord };

const node = (id: string) => encodeURIComponent(id);

/** The capsules' calls: their state, their supplies, and the display line (a node command). */
export const capsulesApi = {
  list: (place?: string) => request<{ capsules: CapsuleRecord[] }>("GET", `/api/capsules${place ? `?place=${encodeURIComponent(place)}` : ""}`),
  get: (nodeId: string) => request<{ capsule: CapsuleRecord }>("GET", `/api/capsules/${node(nodeId)}`),
  supplies: (nodeId: string) => request<{ supplies: SupplyRecord[] }>("GET", `/api/capsules/${node(nodeId)}/supplies`),
  addSupply: (nodeId: string, supply: SupplyInput) => request<{ supply: SupplyRecord }>("POST", `/api/capsules/${node(nodeId)}/supplies`, supply),
  editSupply: (nodeId: string, id: number, change: Partial<SupplyInput>) => request<{ supply: SupplyRecord }>("PATCH", `/api/capsules/${node(nodeId)}/supplies/${id}`, change),
  removeSupply: (nodeId: string, id: number) => request<null>("DELETE", `/api/capsules/${node(nodeId)}/supplies/${id}`),
  /** Everything expired or expiring by the end of this month, inside `place` (all the viewer's places without). */
  expiringThisMonth: (place?: string) =>
    request<{ days: number; supplies: ExpiringSupply[] }>("GET", `/api/supplies/expiring?month=this${place ? `&place=${encodeURIComponent(place)}` : ""}`),
  setDisplay: (nodeId: string, text: string) => request<{ command: CommandRecord }>("POST", `/api/nodes/${node(nodeId)}/commands`, { op: "display", text }),
  command: (nodeId: string, commandId: string) => request<{ command: CommandRecord }>("GET", `/api/nodes/${node(nodeId)}/commands/${encodeURIComponent(commandId)}`),
};
