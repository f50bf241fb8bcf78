import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { FOR_INSTALL, FOR_TEST, missingPackages, systemProbe } from "../../scripts/deps/debian-packages.mjs";
import { stalePackages } from "../../scripts/deps/npm-packages.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const script = join(root, "scripts/ensure-deps.mjs");
const bare = { onPath: () => false, exists: () => false, cjkFonts: () => false };
/** What this machine lacks with nothing on PATH: the programs looked up there, plus any file it really lacks. */
const withoutPath = () => missingPackages(FOR_TEST, { ...systemProbe, onPath: () => false }).join(" ");

/** A folder with only `sh` on its PATH (and a recording `apt-get` when asked): a machine without Debian's extras. */
function barePath(withAptGet: boolean): { path: string; log: string } {
  const dir = mkdtempSync(join(tmpdir(), "sw-path-"));
  symlinkSync("/bin/sh", join(dir, "sh"));
  const log = join(dir, "apt-get.log");
  if (withAptGet) {
    writeFileSync(join(dir, "apt-get"), `#!/bin/sh\necho "DEBIAN_FRONTEND=$DEBIAN_FRONTEND $*" >> ${log}\n`);
    chmodSync(join(dir, "apt-get"), 0o755);
  }
  return { path: dir, log };
}

function ensureDeps(args: string[], env: Record<string, string>, cwd = root) {
  const result = spawnSync(process.execPath, [script, ...args], { cwd, env: { HOME: tmpdir(), ...env }, encoding: "utf8" });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

describe("scripts/ensure-deps.mjs: what a fresh Debian machine needs for npm start and npm test", () => {
  it("asks for every Debian package .ci/run used to install, the broker plugin's build included, and CJK fonts", () => {
    expect(missingPackages(FOR_TEST, bare)).toEqual([
      "mosquitto", "chromium", "libxml2-utils", "fonts-noto-cjk", "gcc", "libc6-dev", "mosquitto-dev", "libmosquitto-dev", "libssl-dev",
    ]);
    // npm ci builds XS (@agoric/xsnap) with make and gcc: needed before the first install, test or not.
    expect(missingPackages([...FOR_INSTALL, ...FOR_TEST], bare).slice(0, 3)).toEqual(["make", "gcc", "libc6-dev"]);
    expect(missingPackages(FOR_TEST, { onPath: () => true, exists: () => true, cjkFonts: () => true })).toEqual([]);
    // CI runs the README's command and nothing else, so the two cannot disagree about what is needed.
    const ci = readFileSync(join(root, ".ci/run"), "utf8");
    expect(ci).toMatch(/^npm test$/m);
    expect(ci).not.toContain("apt-get");
  });

  it("decides npm ci by the lockfile's content: a package missing or at another version, never a file's time", () => {
    const dir = mkdtempSync(join(tmpdir(), "sw-lock-"));
    const lock = {
      lockfileVersion: 3,
      packages: {
        "": { name: "x" },
        "node_modules/a": { version: "1.0.0" },
        "node_modules/a/node_modules/b": { version: "2.0.0" },
        "node_modules/@esbuild/darwin-arm64": { version: "0.1.0", optional: true },
      },
    };
    writeFileSync(join(dir, "package-lock.json"), JSON.stringify(lock));
    expect(stalePackages(dir)).toEqual(["node_modules/a", "node_modules/a/node_modules/b"]);
    for (const [path, version] of [["node_modules/a", "1.0.0"], ["node_modules/a/node_modules/b", "2.0.0"]]) {
      mkdirSync(join(dir, path), { recursive: true });
      writeFileSync(join(dir, path, "package.json"), JSON.stringify({ version }));
    }
    expect(stalePackages(dir)).toEqual([]);
    writeFileSync(join(dir, "node_modules/a/node_modules/b/package.json"), JSON.stringify({ version: "1.9.0" }));
    expect(stalePackages(dir)).toEqual(["node_modules/a/node_modules/b"]);
    // This checkout's own node_modules matches its lockfile.
    expect(stalePackages(root)).toEqual([]);
  });

  it("--dry-run on a machine without the programs prints the apt-get commands it would run", () => {
    const { path } = barePath(false);
    const { status, out } = ensureDeps(["--dry-run", "--test"], { PATH: path });
    expect(status).toBe(0);
    // mosquitto, xmllint and gcc are looked up on PATH; the rest by their files, which this machine has.
    expect(out).toContain("would run: apt-get update -qq");
    expect(withoutPath()).toMatch(/^mosquitto .*libxml2-utils .*gcc libc6-dev/);
    expect(out).toContain(`would run: apt-get install -y -qq --no-install-recommends ${withoutPath()}`);
  });

  it.skipIf(process.getuid?.() !== 0)("as root, installs what is missing with apt-get, non-interactively", () => {
    const { path, log } = barePath(true);
    const { status, out } = ensureDeps(["--test"], { PATH: path });
    expect(status, out).toBe(0);
    expect(readFileSync(log, "utf8").trim().split("\n")).toEqual([
      "DEBIAN_FRONTEND=noninteractive update -qq",
      `DEBIAN_FRONTEND=noninteractive install -y -qq --no-install-recommends ${withoutPath()}`,
    ]);
  });

  it("never runs npm ci through a linked node_modules (it would empty the checkout that owns it)", () => {
    const dir = mkdtempSync(join(tmpdir(), "sw-linked-"));
    const shared = mkdtempSync(join(tmpdir(), "sw-shared-"));
    writeFileSync(join(dir, "package-lock.json"), JSON.stringify({ lockfileVersion: 3, packages: { "": {}, "node_modules/a": { version: "1.0.0" } } }));
    symlinkSync(shared, join(dir, "node_modules"));
    const { status, out } = ensureDeps([], { PATH: process.env.PATH! }, dir);
    expect(status).toBe(1);
    expect(out).toContain(`node_modules links to ${shared}`);
    expect(out).not.toContain("Installing dependencies");
  });

  it("a first install prints no warning a newcomer would read as a fault (EBADENGINE: amaro wanted Node 22)", { timeout: 60_000 }, () => {
    // npm's own check, on a copy: --dry-run resolves the lockfile and reports engines, installing nothing.
    const dir = mkdtempSync(join(tmpdir(), "sw-ci-"));
    for (const file of ["package.json", "package-lock.json"]) copyFileSync(join(root, file), join(dir, file));
    const ci = spawnSync("npm", ["ci", "--dry-run", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: dir, encoding: "utf8" });
    expect(ci.status, ci.stderr).toBe(0);
    expect(`${ci.stdout}${ci.stderr}`).not.toMatch(/EBADENGINE|npm warn/i);
  });
});
