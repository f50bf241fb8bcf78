import type { MiddlewareHandler } from "hono";
import type { Db } from "../db/client";
import { findTokenOwner, type TokenOwner } from "./tokens";

export type AuthVariables = { owner: TokenOwner };

/** Every API request needs `Authorization: Bearer <token>`; anything else gets 401 with a JSON reason. */
export function requireToken(db: Db): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      return c.json({ error: "unauthorized", message: "Send an API token as `Authorization: Bearer <token>`." }, 401);
    }
    const owner = await findTokenOwner(db, match[1]);
    if (!owner) return c.json({ error: "unauthorized", message: "That API token is not valid." }, 401);
    c.set("owner", owner);
    await next();
  };
}
