import type { MiddlewareHandler } from "hono";
import { eq } from "drizzle-orm";
import type { AuthVariables } from "../auth/require-token";
import type { Db } from "../db/client";
import { staff } from "../db/schema";
import { scopePathsOf } from "./queries";
import { actorOf, type Viewer } from "./viewer";

export type ViewerVariables = AuthVariables & { viewer: Viewer };

/** Turns the token's owner into a Viewer with their scope; a token of a deactivated person gets 403. */
export function loadViewer(db: Db): MiddlewareHandler<{ Variables: ViewerVariables }> {
  return async (c, next) => {
    const owner = c.get("owner");
    if (owner.role === "admin" || owner.staffId === null) {
      c.set("viewer", { kind: "admin", actor: actorOf(owner), tokenId: owner.id });
      return next();
    }
    const [person] = await db.select().from(staff).where(eq(staff.id, owner.staffId));
    if (!person?.active) return c.json({ error: "forbidden", message: "This staff account is deactivated; ask the community office to restore it." }, 403);
    c.set("viewer", { kind: "staff", actor: actorOf(owner), staffId: person.id, name: person.name, role: person.role, scopePaths: await scopePathsOf(db, person.id) });
    await next();
  };
}
