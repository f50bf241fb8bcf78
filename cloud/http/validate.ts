import { zValidator } from "@hono/zod-validator";
import type { ValidationTargets } from "hono";
import type { ZodType } from "zod";

/**
 * Checks one part of a request against a zod schema before the handler runs; a request that does
 * not fit is answered 400 `{ error: "bad-request", message }`, the message naming each field and
 * what is wrong with it, in the API's usual shape.
 */
export function valid<Target extends keyof ValidationTargets, Schema extends ZodType>(target: Target, schema: Schema) {
  return zValidator(target, schema, (result, c) => {
    if (result.success) return;
    const message = result.error.issues.map((issue) => `${issue.path.map(String).join(".") || target}: ${issue.message}`).join("; ");
    return c.json({ error: "bad-request", message }, 400);
  });
}
