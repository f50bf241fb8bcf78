import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { bundledWorker } from "../../cloud/threads/worker-bundle";

describe("a worker thread's modules as one bundle", () => {
  it("runs the project's TypeScript with plain node (no tsx), named by its content and built once", async () => {
    const entry = new URL("../support/bundle-fixture.ts", import.meta.url);
    const bundle = await bundledWorker(entry);
    expect(fileURLToPath(bundle)).toMatch(/node_modules\/\.cache\/shouwang\/bundle-fixture-[0-9a-f]{16}\.mjs$/);
    expect(await bundledWorker(entry)).toBe(bundle);
    // Packages stay imports, resolved from node_modules; the project's own code is inside.
    const code = readFileSync(bundle, "utf8");
    expect(code).toMatch(/from "drizzle-orm"/);
    expect(code).toMatch(/function placeholders/);
    const out = execFileSync(process.execPath, [fileURLToPath(bundle)], { encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
    expect(out.trim()).toBe("1 (?,?,?),(?,?,?)");
  });
});
