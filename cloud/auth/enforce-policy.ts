import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { TrieRouter } from "hono/router/trie-router";
import type { AuthVariables, Authenticator } from "./require-token";
import { DEFAULT_BODY_BYTES, type Access, type RoutePolicy } from "./route-policy";

const STRICTNESS: Record<Access, number> = { public: 0, staff: 1, admin: 2 };

/** Finds the policy of a request; where two entries match (`/stream` and `/:id`), the stricter one. */
export function policyMatcher(policies: readonly RoutePolicy[]): (method: string, path: string) => RoutePolicy | undefined {
  const router = new TrieRouter<RoutePolicy>();
  for (const policy of policies) router.add(policy.method, policy.path, policy);
  return (method, path) => {
    const [matches] = router.match(method === "HEAD" ? "GET" : method, path);
    let chosen: RoutePolicy | undefined;
    for (const [policy] of matches) if (!chosen || STRICTNESS[policy.access] > STRICTNESS[chosen.access]) chosen = policy;
    return chosen;
  };
}

/**
 * Applies the route table in front of every handler: a request whose route has no policy is
 * answered 404 before any handler runs (default deny); a non-public route needs a credential
 * (401 without one), an admin route an admin (403 otherwise), and a deactivated person is
 * refused at once. The body limit is checked before anything parses the body.
 */
export function enforceRoutePolicy(options: { policies: readonly RoutePolicy[]; authenticators: readonly Authenticator[] }): MiddlewareHandler<{ Variables: AuthVariables }> {
  const match = policyMatcher(options.policies);
  const limits = new Map<number, MiddlewareHandler>();
  const limitFor = (maxSize: number) => {
    let limit = limits.get(maxSize);
    if (!limit) {
      limit = bodyLimit({
        maxSize,
        onError: (c) => c.json({ error: "too-large", message: `This request's body may be at most ${maxSize} bytes.` }, 413),
      });
      limits.set(maxSize, limit);
    }
    return limit;
  };
  return async (c, next) => {
    const policy = match(c.req.method, c.req.path);
    if (!policy) return c.json({ error: "not-found", message: `No route for ${c.req.method} ${c.req.path}` }, 404);
    if (policy.access !== "public") {
      let outcome: Awaited<ReturnType<Authenticator>> = null;
      for (const authenticate of options.authenticators) {
        outcome = await authenticate(c);
        if (outcome) break;
      }
      if (!outcome) return c.json({ error: "unauthorized", message: "Send an API token as `Authorization: Bearer <token>`." }, 401);
      if ("refused" in outcome) return c.json({ error: outcome.status === 401 ? "unauthorized" : "forbidden", message: outcome.refused }, outcome.status);
      if (policy.access === "admin" && outcome.owner.role !== "admin") {
        return c.json({ error: "forbidden", message: "This needs an admin token; staff tokens see incidents in their own scope only." }, 403);
      }
      c.set("owner", outcome.owner);
    }
    return limitFor(policy.maxBodyBytes ?? DEFAULT_BODY_BYTES)(c, next);
  };
}
