import { like, or, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import type { Viewer } from "../staff/viewer";

/**
 * The SQL condition keeping a list inside what a viewer may see: nothing for an admin; for a
 * staff member, rows whose place path lies under one of their scope places (nothing at all
 * without a scope). `path` is the places.path column joined to the listed rows.
 */
export function scopeCondition(viewer: Viewer, path: SQLWrapper): SQL | undefined {
  if (viewer.kind === "admin") return undefined;
  if (viewer.scopePaths.length === 0) return sql`0`;
  // Place ids are a–z, 0–9 and '-', so a path holds no LIKE wildcard.
  return or(...viewer.scopePaths.map((scope) => like(path as never, `${scope}%`)));
}
