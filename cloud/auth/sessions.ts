import { and, eq, isNull } from "drizzle-orm";
import { randomBytes } from "node:crypto";
import type { Db } from "../db/client";
import { consoleSessions, signInLinks, staff } from "../db/schema";
import { hashToken, type Role, type TokenOwner } from "./tokens";

/** A sign-in link is for the person it is handed to today; a day is enough to open it. */
export const SIGN_IN_LINK_MS = 24 * 3_600_000;
/** Staff sign in on their own phone once and stay signed in for a month (revocable at any time). */
export const SESSION_MS = 30 * 24 * 3_600_000;

export type SignInTarget = { role: "admin"; name: string } | { role: "staff"; staffId: number };

export class SignInError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 410,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Issues a one-time link secret for a person (or an admin); returns it in clear once. */
export async function issueSignInLink(db: Db, target: SignInTarget, createdBy: string, now: number): Promise<{ id: number; token: string; name: string; expiresAt: number }> {
  let name: string;
  let staffId: number | null = null;
  if (target.role === "staff") {
    const [person] = await db.select().from(staff).where(eq(staff.id, target.staffId));
    if (!person) throw new SignInError(404, "not-found", `There is no staff member ${target.staffId}.`);
    if (!person.active) throw new SignInError(403, "deactivated", `${person.name} is deactivated; restore them before issuing a sign-in link.`);
    name = person.name;
    staffId = person.id;
  } else {
    name = target.name;
  }
  const token = `sl_${randomBytes(32).toString("base64url")}`;
  const expiresAt = now + SIGN_IN_LINK_MS;
  const [row] = await db
    .insert(signInLinks)
    .values({ role: target.role, staffId, name, tokenHash: hashToken(token), createdBy, createdAt: now, expiresAt })
    .returning({ id: signInLinks.id });
  return { id: row.id, token, name, expiresAt };
}

/** Spends a link (once) and opens a session; returns the session's secret for the cookie. */
export async function redeemSignInLink(db: Db, linkToken: string, now: number): Promise<{ sessionToken: string; expiresAt: number; owner: TokenOwner }> {
  const [link] = await db.select().from(signInLinks).where(eq(signInLinks.tokenHash, hashToken(linkToken)));
  if (!link) throw new SignInError(404, "unknown-link", "This sign-in link is not valid.");
  if (link.usedAt !== null) throw new SignInError(410, "used-link", "This sign-in link has already been used; ask the community office for a new one.");
  if (link.expiresAt <= now) throw new SignInError(410, "expired-link", "This sign-in link has expired; ask the community office for a new one.");
  if (link.staffId !== null) {
    const [person] = await db.select({ active: staff.active }).from(staff).where(eq(staff.id, link.staffId));
    if (!person?.active) throw new SignInError(403, "deactivated", "This staff account is deactivated; ask the community office to restore it.");
  }
  // Spend the link first and only if still unused, so two browsers racing on one link get one session.
  const spent = await db
    .update(signInLinks)
    .set({ usedAt: now })
    .where(and(eq(signInLinks.id, link.id), isNull(signInLinks.usedAt)))
    .returning({ id: signInLinks.id });
  if (!spent.length) throw new SignInError(410, "used-link", "This sign-in link has already been used; ask the community office for a new one.");
  const sessionToken = `ss_${randomBytes(32).toString("base64url")}`;
  const expiresAt = now + SESSION_MS;
  const [session] = await db
    .insert(consoleSessions)
    .values({ role: link.role, staffId: link.staffId, name: link.name, tokenHash: hashToken(sessionToken), linkId: link.id, createdAt: now, expiresAt })
    .returning();
  return { sessionToken, expiresAt, owner: ownerOf(session) };
}

function ownerOf(session: typeof consoleSessions.$inferSelect): TokenOwner {
  return { id: session.id, name: session.name, role: session.role as Role, staffId: session.staffId };
}

export type SessionLookup = { owner: TokenOwner; sessionId: number } | { refused: string; status: 401 | 403 };

/**
 * The session behind a cookie secret. A revoked or expired session, or one whose person has been
 * deactivated, is refused on the request where it is checked: nothing waits for a cache to expire.
 */
export async function findSession(db: Db, sessionToken: string, now: number): Promise<SessionLookup | null> {
  const rows = await db
    .select({ session: consoleSessions, staffActive: staff.active })
    .from(consoleSessions)
    .leftJoin(staff, eq(staff.id, consoleSessions.staffId))
    .where(eq(consoleSessions.tokenHash, hashToken(sessionToken)))
    .limit(1);
  if (!rows.length) return null;
  const { session, staffActive } = rows[0];
  if (session.revokedAt !== null) return { refused: "You have been signed out; open a new sign-in link.", status: 401 };
  if (session.expiresAt <= now) return { refused: "Your sign-in has expired; open a new sign-in link.", status: 401 };
  if (session.role !== "admin" && staffActive !== true) return { refused: "This staff account is deactivated; ask the community office to restore it.", status: 403 };
  return { owner: ownerOf(session), sessionId: session.id };
}

/** Ends one session (sign out, or an admin revoking it); true when there was one to end. */
export async function revokeSession(db: Db, sessionId: number, now: number): Promise<boolean> {
  const ended = await db
    .update(consoleSessions)
    .set({ revokedAt: now })
    .where(and(eq(consoleSessions.id, sessionId), isNull(consoleSessions.revokedAt)))
    .returning({ id: consoleSessions.id });
  return ended.length > 0;
}

/** Ends every session of one person (lost phone, left the job). */
export async function revokeSessionsOf(db: Db, staffId: number, now: number): Promise<number> {
  const ended = await db
    .update(consoleSessions)
    .set({ revokedAt: now })
    .where(and(eq(consoleSessions.staffId, staffId), isNull(consoleSessions.revokedAt)))
    .returning({ id: consoleSessions.id });
  return ended.length;
}

/** Open sessions, newest first, for the admin's list (never the secrets). */
export async function listSessions(db: Db, now: number) {
  const rows = await db.select().from(consoleSessions).where(isNull(consoleSessions.revokedAt));
  return rows
    .filter((s) => s.expiresAt > now)
    .sort((a, b) => b.createdAt - a.createdAt)
    .map((s) => ({ id: s.id, role: s.role, staffId: s.staffId, name: s.name, createdAt: new Date(s.createdAt).toISOString(), expiresAt: new Date(s.expiresAt).toISOString() }));
}
