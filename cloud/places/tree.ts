import { and, eq, inArray, isNotNull } from "drizzle-orm";
import type { Db } from "../db/client";
import { incidents, nodes, places, type PlaceLevel } from "../db/schema";
import { pathWithin, type Viewer } from "../staff/viewer";

/** The levels the console's place tree shows; floors, elevators and capsules are counted in their building. */
const TREE_LEVELS: readonly PlaceLevel[] = ["street", "community", "compound", "building"];
const OPEN_STATUSES = ["open", "acknowledged", "dispatched"] as const;

export interface PlaceTreeNode {
  id: string;
  parentId: string | null;
  level: PlaceLevel;
  name: string;
  path: string;
  /** Open incidents (not yet resolved) here or anywhere inside, that the viewer may see. */
  openIncidents: number;
  /** Nodes offline here or anywhere inside. */
  offlineNodes: number;
  /** False for a place shown only as the way down to the viewer's own places (it is not theirs to act on). */
  inScope: boolean;
}

/**
 * The street → community → compound → building tree with counts at every level. An admin sees
 * all of it; a staff member sees their places, what is inside them, and the places above them
 * (for the way down), with counts from inside their scope only.
 */
export async function placeTree(db: Db, viewer: Viewer): Promise<PlaceTreeNode[]> {
  const [allPlaces, open, offline] = await Promise.all([
    db.select().from(places),
    db.select({ placePath: incidents.placePath }).from(incidents).where(and(inArray(incidents.status, [...OPEN_STATUSES]), isNotNull(incidents.placePath))),
    db.select({ path: places.path }).from(nodes).innerJoin(places, eq(places.id, nodes.placeId)).where(eq(nodes.online, false)),
  ]);
  const scopes = viewer.kind === "admin" ? null : viewer.scopePaths;
  const visible = (path: string) => scopes === null || pathWithin(path, scopes);
  const counts = new Map<string, { openIncidents: number; offlineNodes: number }>();
  const add = (path: string, field: "openIncidents" | "offlineNodes") => {
    if (!visible(path)) return;
    for (const id of path.split("/").filter(Boolean)) {
      const entry = counts.get(id) ?? { openIncidents: 0, offlineNodes: 0 };
      entry[field]++;
      counts.set(id, entry);
    }
  };
  for (const row of open) add(row.placePath!, "openIncidents");
  for (const row of offline) add(row.path, "offlineNodes");
  return allPlaces
    .filter((p) => TREE_LEVELS.includes(p.level))
    .filter((p) => scopes === null || visible(p.path) || scopes.some((scope) => scope.startsWith(p.path)))
    .sort((a, b) => a.path.localeCompare(b.path))
    .map((p) => ({
      id: p.id,
      parentId: p.parentId,
      level: p.level,
      name: p.name,
      path: p.path,
      openIncidents: counts.get(p.id)?.openIncidents ?? 0,
      offlineNodes: counts.get(p.id)?.offlineNodes ?? 0,
      inScope: visible(p.path),
    }));
}
