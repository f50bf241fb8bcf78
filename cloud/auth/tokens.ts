import { count, eq } from "drizzle-orm";
import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../db/client";
import { apiTokens, staff } from "../db/schema";

/** An admin token sees and does everything; a staff token acts as one person, inside their scope. */
export type Role = "admin" | "staff";

export interface TokenOwner {
  id: number;
  name: string;
  role: Role;
  /** The person a staff token acts as; null for an admin token. */
  staffId: number | null;
}

/**
 * Tokens carry 256 random bits, so a plain SHA-256 is enough to store them: nothing can be
 * guessed from the hash, and checking a request costs one hash, not a slow KDF.
 */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Creates a token and returns it in clear; only its hash is kept. */
export async function createToken(db: Db, name: string, role: "admin", now: number): Promise<string> {
  const token = `sw_${randomBytes(32).toString("base64url")}`;
  await db.insert(apiTokens).values({ name, role, tokenHash: hashToken(token), createdAt: now });
  return token;
}

/** A token that acts as one staff member; returned in clear once, stored as a hash. */
export async function createStaffToken(db: Db, staffId: number, name: string, now: number): Promise<string> {
  const token = `sw_${randomBytes(32).toString("base64url")}`;
  await db.insert(apiTokens).values({ name, role: "staff", staffId, tokenHash: hashToken(token), createdAt: now });
  return token;
}

/** At first start (no token exists yet) makes the first admin token; returns it, or null if one exists. */
export async function ensureFirstAdminToken(db: Db, now: number): Promise<string | null> {
  const [{ tokens }] = await db.select({ tokens: count() }).from(apiTokens);
  if (tokens > 0) return null;
  return createToken(db, "first admin", "admin", now);
}

/**
 * The token's owner, and for a staff token whether the person is still active: a deactivated
 * person's tokens are refused from the next request on (route-policy enforcement), without
 * waiting for anyone to delete them.
 */
export async function findTokenOwner(db: Db, token: string): Promise<(TokenOwner & { active: boolean }) | null> {
  const rows = await db
    .select({ id: apiTokens.id, name: apiTokens.name, role: apiTokens.role, staffId: apiTokens.staffId, staffActive: staff.active })
    .from(apiTokens)
    .leftJoin(staff, eq(staff.id, apiTokens.staffId))
    .where(eq(apiTokens.tokenHash, hashToken(token)))
    .limit(1);
  if (!rows.length) return null;
  const { staffActive, ...owner } = rows[0];
  const role = owner.role as Role;
  // A staff token whose person is gone or inactive acts as nobody.
  const active = role === "admin" ? true : staffActive === true;
  return { ...owner, role, active };
}
