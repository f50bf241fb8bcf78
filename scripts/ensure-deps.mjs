// Runs before `npm start` and `npm test` (and as `node scripts/ensure-deps.mjs [--test] [--dry-run]`):
// brings what a fresh Debian machine lacks, so the README's two commands are all a newcomer runs.
//  1. Debian packages: for `npm ci` (make and a C compiler: @agoric/xsnap builds XS) when it must
//     run, and for the tests (Mosquitto, Chromium, xmllint, CJK fonts, the broker plugin's build).
//     As root it installs them with apt-get; otherwise it says which to install.
//  2. npm packages: `npm ci` when node_modules lacks one that package-lock.json names, or holds
//     another version.
// --dry-run prints what it would do and changes nothing.
// Plain Node and the standard library only: it runs before anything is installed.
import { spawnSync } from "node:child_process";
import { lstatSync, realpathSync } from "node:fs";
import { aptCommands, FOR_INSTALL, FOR_TEST, missingPackages, systemProbe } from "./deps/debian-packages.mjs";
import { stalePackages } from "./deps/npm-packages.mjs";

const dryRun = process.argv.includes("--dry-run");
const forTest = process.argv.includes("--test") || process.env.npm_lifecycle_event === "pretest";

const stale = stalePackages(".");
const missing = missingPackages([...(stale.length ? FOR_INSTALL : []), ...(forTest ? FOR_TEST : [])], systemProbe);

function run(command, args, env = process.env) {
  if (dryRun) {
    console.log(`would run: ${command} ${args.join(" ")}`);
    return true;
  }
  return spawnSync(command, args, { stdio: "inherit", env }).status === 0;
}

if (missing.length) {
  if (!dryRun && (process.getuid?.() !== 0 || !systemProbe.onPath("apt-get"))) {
    console.error(`Needed from Debian: ${missing.join(", ")}. Install them: sudo apt-get install ${missing.join(" ")}`);
    process.exit(1);
  }
  console.log(`Installing ${missing.join(", ")} from Debian…`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const [command, args] of aptCommands(missing)) {
    if (!run(command, args, env)) {
      console.error(`Installing ${missing.join(", ")} failed; see above.`);
      process.exit(1);
    }
  }
}

if (stale.length) {
  // `npm ci` empties node_modules before filling it; through a link it would empty the folder
  // another checkout (a git worktree) shares. Install there instead.
  let linked = null;
  try {
    if (lstatSync("node_modules").isSymbolicLink()) linked = realpathSync("node_modules");
  } catch {
    // No node_modules yet: npm ci makes it.
  }
  if (linked) {
    console.error(`node_modules links to ${linked}, which lacks ${stale.length} of package-lock.json's packages (${stale.slice(0, 3).join(", ")}…).`);
    console.error(`Install in the checkout that owns it (npm ci there), or replace the link with a folder of its own.`);
    process.exit(1);
  }
  console.log(`Installing dependencies (npm ci): ${stale.length} of package-lock.json's packages missing or at another version…`);
  if (!run("npm", ["ci", "--no-audit", "--no-fund"])) {
    console.error("npm ci failed; see above. Node.js 20.9+ and a reachable npm registry are needed.");
    process.exit(1);
  }
}
if (dryRun && !missing.length && !stale.length) console.log("nothing to install");
