import type { Context } from "hono";
import type { Db } from "../db/client";
import { findTokenOwner, type TokenOwner } from "./tokens";

export type AuthVariables = { owner: TokenOwner };

/**
 * One way of proving who is calling. `null` means this request carries no such credential (the
 * next way is tried); `refused` means it carries one that must not be accepted, with the reason.
 * Route-policy enforcement tries each in turn, so a console session (a cookie) can be added
 * beside bearer tokens without touching any route.
 */
export type Authenticator = (c: Context) => Promise<{ owner: TokenOwner } | { refused: string; status: 401 | 403 } | null>;

/** `Authorization: Bearer <token>`; tokens are stored as SHA-256 hashes only. */
export function bearerToken(db: Db): Authenticator {
  return async (c) => {
    const header = c.req.header("authorization");
    if (!header) return null;
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) return { refused: "Send an API token as `Authorization: Bearer <token>`.", status: 401 };
    const found = await findTokenOwner(db, match[1]);
    if (!found) return { refused: "That API token is not valid.", status: 401 };
    const { active, ...owner } = found;
    if (!active) return { refused: "This staff account is deactivated; ask the community office to restore it.", status: 403 };
    return { owner };
  };
}
