import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { staff } from "./routing";

/**
 * One-time sign-in links an admin issues to a person (or to an admin): opening one starts a
 * console session. Only the SHA-256 of the secret is kept (it carries 256 random bits, like API
 * tokens); a link works once and only until `expiresAt`.
 */
export const signInLinks = sqliteTable("sign_in_links", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  /** "admin" or "staff"; a staff link acts as `staffId`. */
  role: text("role").notNull(),
  staffId: integer("staff_id").references(() => staff.id),
  name: text("name").notNull(),
  tokenHash: text("token_hash").notNull().unique(),
  createdBy: text("created_by").notNull(),
  createdAt: integer("created_at").notNull(),
  expiresAt: integer("expires_at").notNull(),
  usedAt: integer("used_at"),
});

/** A signed-in browser: the cookie holds the secret, the row its hash; revoking ends it at the next request. */
export const consoleSessions = sqliteTable(
  "console_sessions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    role: text("role").notNull(),
    staffId: integer("staff_id").references(() => staff.id),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    linkId: integer("link_id").references(() => signInLinks.id),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    revokedAt: integer("revoked_at"),
  },
  (table) => [index("console_sessions_staff").on(table.staffId)],
);
