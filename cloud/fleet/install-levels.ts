import type { NodeKind } from "../../shared/node-kinds";
import type { PlaceLevel } from "../db/schema";

/**
 * Where each kind of node may be installed in the place hierarchy. On its own (types only
 * imported) so the console's installer offers the same places the server accepts.
 */
export const INSTALL_LEVELS: Readonly<Record<NodeKind, readonly PlaceLevel[]>> = {
  sensor: ["building", "floor"],
  elevator: ["elevator"],
  capsule: ["capsule"],
};
