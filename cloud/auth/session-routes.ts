import { Hono, type Context } from "hono";
import QRCode from "qrcode";
import type { Db } from "../db/client";
import type { AuthVariables } from "./require-token";
import { clearSessionCookie, csrfRefusal, sessionSecret, setSessionCookie } from "./session-cookie";
import { findSession, issueSignInLink, listSessions, redeemSignInLink, revokeSession, SignInError, type SignInTarget } from "./sessions";

type Env = { Variables: AuthVariables };

async function jsonObject(c: Context): Promise<Record<string, unknown>> {
  const body = await c.req.json().catch(() => null);
  if (!body || typeof body !== "object" || Array.isArray(body)) throw new SignInError(400, "bad-request", "Send a JSON object.");
  return body as Record<string, unknown>;
}

function onSignInError(error: Error, c: Context) {
  if (error instanceof SignInError) return c.json({ error: error.code, message: error.message }, error.status);
  throw error;
}

/**
 * The browser side of signing in (public: the one-time link secret is the credential):
 *   POST /auth/session   {token}  spends a sign-in link, sets the session cookie
 *   POST /auth/sign-out           ends this browser's session and clears the cookie
 */
export function sessionRoutes(deps: { db: Db; now: () => number }) {
  const app = new Hono<Env>();
  app.onError(onSignInError);
  app.post("/session", async (c) => {
    const refusal = csrfRefusal(c);
    // 400, not 403: these routes take no credential, so a missing console header is a malformed request.
    if (refusal) return c.json({ error: "bad-request", message: refusal }, 400);
    const body = await jsonObject(c);
    if (typeof body.token !== "string" || !body.token) throw new SignInError(400, "bad-request", "token must be the sign-in link's code.");
    const { sessionToken, owner } = await redeemSignInLink(deps.db, body.token, deps.now());
    setSessionCookie(c, sessionToken);
    return c.json({ owner });
  });
  app.post("/sign-out", async (c) => {
    const refusal = csrfRefusal(c);
    if (refusal) return c.json({ error: "bad-request", message: refusal }, 400);
    const secret = sessionSecret(c);
    if (secret) {
      const found = await findSession(deps.db, secret, deps.now());
      if (found && "sessionId" in found) await revokeSession(deps.db, found.sessionId, deps.now());
    }
    clearSessionCookie(c);
    return c.json({ signedOut: true });
  });
  return app;
}

/**
 * The admin side (under /api):
 *   POST   /sign-in-links   {staffId} or {role:"admin", name}  a one-time link and its QR code
 *   GET    /sessions                                           open sessions
 *   DELETE /sessions/:id                                       revoke one
 */
export function sessionAdminRoutes(deps: { db: Db; now: () => number }) {
  const app = new Hono<Env>();
  app.onError(onSignInError);
  app.post("/sign-in-links", async (c) => {
    const body = await jsonObject(c);
    let target: SignInTarget;
    if (body.role === "admin") {
      if (typeof body.name !== "string" || !body.name.trim()) throw new SignInError(400, "bad-request", "An admin link needs the admin's name.");
      target = { role: "admin", name: body.name.trim() };
    } else if (Number.isSafeInteger(body.staffId) && (body.staffId as number) > 0) {
      target = { role: "staff", staffId: body.staffId as number };
    } else {
      throw new SignInError(400, "bad-request", 'Send {"staffId": <id>} or {"role": "admin", "name": "…"}.');
    }
    const owner = c.get("owner");
    const link = await issueSignInLink(deps.db, target, `${owner.role}:${owner.id}`, deps.now());
    const url = signInUrl(new URL(c.req.url).origin, link.token);
    return c.json({ id: link.id, name: link.name, url, qrSvg: await QRCode.toString(url, { type: "svg", margin: 2 }), expiresAt: new Date(link.expiresAt).toISOString() }, 201);
  });
  app.get("/sessions", async (c) => c.json({ sessions: await listSessions(deps.db, deps.now()) }));
  app.delete("/sessions/:id", async (c) => {
    const id = Number(c.req.param("id"));
    if (!(Number.isSafeInteger(id) && id > 0) || !(await revokeSession(deps.db, id, deps.now()))) return c.json({ error: "not-found", message: "No such open session." }, 404);
    return c.json({ revoked: id });
  });
  return app;
}

/**
 * The secret rides in the URL fragment: browsers never send a fragment to the server, so it
 * stays out of access logs and Referer headers; the page reads it and posts it to /auth/session.
 */
export function signInUrl(origin: string, token: string): string {
  return `${origin}/#/signin/${token}`;
}
