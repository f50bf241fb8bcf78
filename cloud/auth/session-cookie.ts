import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Db } from "../db/client";
import type { Authenticator } from "./require-token";
import { findSession, SESSION_MS } from "./sessions";

export const SESSION_COOKIE = "sw_session";
/**
 * The console sends this header on every request that changes something. A page on another site
 * cannot add a custom header to a cross-site request without a CORS preflight, which this server
 * never grants, so a forged form post or fetch arrives without it and is refused (OWASP CSRF
 * cheat sheet, "custom request headers"); SameSite=Strict on the cookie is the second lock.
 */
export const CSRF_HEADER = "x-shouwang-console";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === "https:" || c.req.header("x-forwarded-proto") === "https";
}

/** Whether a cookie-carried request that changes state came from the console itself. */
export function csrfRefusal(c: Context): string | null {
  if (SAFE_METHODS.has(c.req.method)) return null;
  if (c.req.header(CSRF_HEADER) !== "1") return "This request did not come from the console page; reload the page and try again.";
  const origin = c.req.header("origin");
  if (origin && origin !== new URL(c.req.url).origin && origin !== `https://${c.req.header("host")}`) return "This request came from another site and was refused.";
  return null;
}

export function setSessionCookie(c: Context, token: string): void {
  setCookie(c, SESSION_COOKIE, token, { httpOnly: true, sameSite: "Strict", secure: isHttps(c), path: "/", maxAge: Math.floor(SESSION_MS / 1000) });
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: isHttps(c) });
}

export function sessionSecret(c: Context): string | undefined {
  return getCookie(c, SESSION_COOKIE);
}

/** The console's way of proving who calls: the session cookie, checked against the database on every request. */
export function sessionCookie(db: Db, now: () => number): Authenticator {
  return async (c) => {
    const secret = sessionSecret(c);
    if (!secret) return null;
    const found = await findSession(db, secret, now());
    if (!found) return { refused: "You are not signed in; open a sign-in link from the community office.", status: 401 };
    if ("refused" in found) return found;
    const csrf = csrfRefusal(c);
    if (csrf) return { refused: csrf, status: 403 };
    return { owner: found.owner };
  };
}
