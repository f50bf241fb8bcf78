import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "turso",
  schema: "./cloud/db/schema.ts",
  out: "./cloud/db/migrations",
});
