// A module graph for tests/cloud/worker-bundle.test.ts: the project's TypeScript and a package.
import { sql } from "drizzle-orm";
import { placeholders } from "../../cloud/db/client";

const statement = sql.raw(`insert into t values ${placeholders(2, 3)}`);
process.stdout.write(`${statement.queryChunks.length} ${placeholders(2, 3)}\n`);
