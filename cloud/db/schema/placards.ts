import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { places } from "../schema";

/**
 * The code on a place's "隐患随手拍" placard: 128 random bits in the QR code's URL, so a reporter
 * names a place without place ids being guessable, and a placard that was abused can be replaced
 * (revoked, and a new one printed) without renaming the place.
 */
export const placards = sqliteTable(
  "placards",
  {
    code: text("code").primaryKey(),
    placeId: text("place_id")
      .notNull()
      .references(() => places.id),
    createdAt: integer("created_at").notNull(),
    revokedAt: integer("revoked_at"),
  },
  (table) => [index("placards_place").on(table.placeId)],
);
