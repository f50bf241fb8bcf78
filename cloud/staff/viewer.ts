import type { TokenOwner } from "../auth/tokens";

/**
 * Who is asking, with what they may see: an admin sees everything; a staff member sees the
 * places under each of their scope places (`path` prefixes).
 */
export type Viewer =
  | { kind: "admin"; actor: string; tokenId: number }
  | { kind: "staff"; actor: string; staffId: number; name: string; role: string; scopePaths: string[] };

export function actorOf(owner: TokenOwner): string {
  return owner.role === "staff" && owner.staffId !== null ? `staff:${owner.staffId}` : `admin:${owner.id}`;
}

/** Whether a place (by path) lies inside any of the scope paths. A place-less incident is admin-only. */
export function pathWithin(placePath: string | null, scopePaths: readonly string[]): boolean {
  if (placePath === null) return false;
  return scopePaths.some((scope) => placePath.startsWith(scope));
}

export function canSee(viewer: Viewer, placePath: string | null): boolean {
  return viewer.kind === "admin" || pathWithin(placePath, viewer.scopePaths);
}
