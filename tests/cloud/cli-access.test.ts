import { describe, expect, it } from "vitest";
import { redeemSignInLink } from "../../cloud/auth/sessions";
import { createToken, findTokenOwner } from "../../cloud/auth/tokens";
import type { CliIo } from "../../cloud/cli/context";
import { runCli } from "../../cloud/cli/main";
import { openDatabase } from "../../cloud/db/client";
import { insertStaff } from "../../cloud/staff/queries";
import { tempDatabaseUrl } from "../support/cloud";

async function run(argv: string[], env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    progress: { write: () => {}, isTTY: false },
    readFile: () => "",
    writeFile: () => {},
    now: Date.now,
  };
  const code = await runCli(argv, io, env);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("CLI: a lost admin token and console sign-in links", () => {
  it("makes a new admin token without touching the database otherwise, and can revoke the lost one", async () => {
    const url = tempDatabaseUrl();
    const database = await openDatabase(url);
    const lost = await createToken(database.db, "first admin", "admin", Date.now());
    const env = { DATABASE_URL: url };

    const kept = await run(["admin-token"], env);
    expect(kept.code).toBe(0);
    const fresh = /(sw_[A-Za-z0-9_-]+)/.exec(kept.out)![1];
    expect((await findTokenOwner(database.db, fresh))?.role).toBe("admin");
    expect(await findTokenOwner(database.db, lost)).not.toBeNull();

    const replaced = await run(["admin-token", "--name", "office desk", "--revoke-others"], env);
    expect(replaced.out).toMatch(/Revoked 2 other admin token\(s\)/);
    const newest = /(sw_[A-Za-z0-9_-]+)/.exec(replaced.out)![1];
    expect(await findTokenOwner(database.db, lost)).toBeNull();
    expect(await findTokenOwner(database.db, fresh)).toBeNull();
    expect((await findTokenOwner(database.db, newest))?.name).toBe("office desk");
    database.close();
  });

  it("prints a one-time sign-in link for a person, which opens one session; says what is missing", async () => {
    const url = tempDatabaseUrl();
    const database = await openDatabase(url);
    const person = await insertStaff(database.db, { name: "王网格", role: "grid-worker", phone: null }, Date.now());

    const noAddress = await run(["sign-in-link", "--staff", String(person.id)], { DATABASE_URL: url });
    expect(noAddress.code).toBe(1);
    expect(noAddress.err).toContain("PUBLIC_URL");
    const unknown = await run(["sign-in-link", "--staff", "999"], { DATABASE_URL: url, PUBLIC_URL: "http://192.168.1.10:8080" });
    expect(unknown.err).toContain("no staff member 999");

    const printed = await run(["sign-in-link", "--staff", String(person.id)], { DATABASE_URL: url, PUBLIC_URL: "http://192.168.1.10:8080/" });
    expect(printed.code).toBe(0);
    const code = /http:\/\/192\.168\.1\.10:8080\/#\/signin\/(\S+)/.exec(printed.out)![1];
    const session = await redeemSignInLink(database.db, code, Date.now());
    expect(session.owner).toMatchObject({ role: "staff", staffId: person.id, name: "王网格" });
    await expect(redeemSignInLink(database.db, code, Date.now())).rejects.toThrow(/already been used/);
    database.close();
  });
});
