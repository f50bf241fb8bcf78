// Runs before `npm start` and `npm test`: installs dependencies when node_modules is missing or
// older than package-lock.json, so a fresh clone needs no separate install step.
// Plain Node, no imports beyond the standard library: it must run before anything is installed.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";

const marker = "node_modules/.package-lock.json";
const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync("package-lock.json").mtimeMs;
if (stale) {
  console.log("Installing dependencies (npm ci)…");
  const result = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { stdio: "inherit" });
  if (result.status !== 0) {
    console.error("npm ci failed; see above. Node.js 20.9+ and a reachable npm registry are needed.");
    process.exit(result.status ?? 1);
  }
}

// `npm test` also needs programs from Debian: Mosquitto (the broker the end-to-end tests run),
// Chromium (the console's browser tests), xmllint (the CAP schema check) and CJK fonts (so zh-CN
// pages render as text, not boxes, in those tests). `npm start` needs none of them.
if (process.env.npm_lifecycle_event === "pretest") {
  const onPath = (name) => spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
  const cjkFonts = () => existsSync("/usr/share/fonts/opentype/noto") && readdirSync("/usr/share/fonts/opentype/noto").some((f) => /CJK/i.test(f));
  const missing = [
    ...(onPath("mosquitto") ? [] : ["mosquitto"]),
    ...(existsSync("/usr/bin/chromium") ? [] : ["chromium"]),
    ...(onPath("xmllint") ? [] : ["libxml2-utils"]),
    ...(cjkFonts() ? [] : ["fonts-noto-cjk"]),
  ];
  if (missing.length) {
    if (process.getuid?.() !== 0 || !onPath("apt-get")) {
      console.error(`The tests need ${missing.join(", ")} (Debian packages). Install them: sudo apt-get install ${missing.join(" ")}`);
      process.exit(1);
    }
    console.log(`Installing ${missing.join(", ")} from Debian…`);
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const update = spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
    const install = update.status === 0 && spawnSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing], { stdio: "inherit", env });
    if (!install || install.status !== 0) {
      console.error(`Installing ${missing.join(", ")} failed; see above.`);
      process.exit(1);
    }
  }
}
