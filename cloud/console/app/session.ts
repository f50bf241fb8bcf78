import type { TokenOwner } from "../../auth/tokens";
import { LiveStream } from "./live";

/** Who is signed in in this browser (set by sw-app after /api/me answers). */
export const session: { owner: TokenOwner | null } = { owner: null };

export function isAdmin(): boolean {
  return session.owner?.role === "admin";
}

/** The incident stream every view listens to; started once signed in. */
export const incidentStream = new LiveStream("/api/incidents/stream");
