import type { MiddlewareHandler } from "hono";
import type { AuthVariables } from "./require-token";

/** For routes over the whole fleet: a staff token gets 403 with the reason, never the data. */
export function requireAdmin(): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (c, next) => {
    if (c.get("owner").role !== "admin") {
      return c.json({ error: "forbidden", message: "This needs an admin token; staff tokens see incidents in their own scope only." }, 403);
    }
    await next();
  };
}
