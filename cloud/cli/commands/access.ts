import { and, eq, isNull, ne } from "drizzle-orm";
import { parseArgs } from "node:util";
import QRCode from "qrcode";
import { issueSignInLink, SignInError } from "../../auth/sessions";
import { signInUrl } from "../../auth/session-routes";
import { createToken } from "../../auth/tokens";
import { apiTokens } from "../../db/schema";
import { FleetError } from "../../fleet/fleet-error";
import type { CliContext } from "../context";

/**
 * `admin-token [--name <n>] [--revoke-others]`: a new admin API token, for when the first one is
 * lost; with --revoke-others every other admin token stops working (it may have leaked).
 * Needs the database only, so whoever runs the cloud's machine can do it, and nobody else.
 */
export async function adminTokenCommand(context: CliContext, args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { name: { type: "string", default: "admin (CLI)" }, "revoke-others": { type: "boolean", default: false } } });
  const db = await context.db();
  const token = await createToken(db, values.name!, "admin", context.io.now());
  let revoked = 0;
  if (values["revoke-others"]) {
    const gone = await db
      .delete(apiTokens)
      .where(and(eq(apiTokens.role, "admin"), isNull(apiTokens.staffId), ne(apiTokens.name, values.name!)))
      .returning({ id: apiTokens.id });
    revoked = gone.length;
  }
  context.io.out(
    [
      `New admin API token "${values.name}" (shown once, stored only as a hash):`,
      `  ${token}`,
      ...(values["revoke-others"] ? [`Revoked ${revoked} other admin token(s).`] : []),
    ].join("\n"),
  );
}

/**
 * `sign-in-link --staff <id> | --admin <name> [--base-url <url>]`: a one-time console sign-in
 * link (valid 24 h) and its QR code, to hand to a person.
 */
export async function signInLinkCommand(context: CliContext, args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { staff: { type: "string" }, admin: { type: "string" }, "base-url": { type: "string" } } });
  const baseUrl = (values["base-url"] ?? context.env.publicUrl)?.replace(/\/+$/, "");
  if (!baseUrl || !/^https?:\/\/[^/]+$/.test(baseUrl)) {
    throw new FleetError("The link needs the address phones reach the cloud at: set PUBLIC_URL (e.g. http://192.168.1.10:8080) or pass --base-url");
  }
  if (!values.staff === !values.admin) throw new FleetError("sign-in-link needs --staff <id> or --admin <name> (one of them)");
  const staffId = Number(values.staff);
  if (values.staff && !(Number.isSafeInteger(staffId) && staffId > 0)) throw new FleetError("--staff must be a staff id (a whole number)");
  try {
    const link = await issueSignInLink(
      await context.db(),
      values.admin ? { role: "admin", name: values.admin } : { role: "staff", staffId },
      "cli",
      context.io.now(),
    );
    const url = signInUrl(baseUrl, link.token);
    context.io.out([`Sign-in link for ${link.name} (works once, until ${new Date(link.expiresAt).toISOString()}):`, `  ${url}`, await QRCode.toString(url, { type: "utf8" })].join("\n"));
  } catch (error) {
    if (error instanceof SignInError) throw new FleetError(error.message);
    throw error;
  }
}
