// The programs from Debian the project needs besides npm packages, each with how to tell it is
// there. One list for `npm start`, `npm test` and CI (.ci/run only runs `npm test`).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";

/** What `npm ci` itself needs: @agoric/xsnap compiles Moddable's XS with make and a C compiler. */
export const FOR_INSTALL = [
  { what: "make", packages: ["make"], present: (probe) => probe.onPath("make") },
  { what: "a C compiler", packages: ["gcc", "libc6-dev"], present: (probe) => probe.onPath("gcc") && probe.exists("/usr/include/stdio.h") },
];

/** What the tests run: the broker, the browser, the CAP schema check, CJK fonts, and the broker plugin's build. */
export const FOR_TEST = [
  { what: "Mosquitto (the broker the end-to-end tests run)", packages: ["mosquitto"], present: (probe) => probe.onPath("mosquitto") },
  { what: "Chromium (the console's browser tests)", packages: ["chromium"], present: (probe) => probe.exists("/usr/bin/chromium") },
  { what: "xmllint (the CAP 1.2 schema check)", packages: ["libxml2-utils"], present: (probe) => probe.onPath("xmllint") },
  { what: "CJK fonts (zh-CN pages drawn as text, not boxes)", packages: ["fonts-noto-cjk"], present: (probe) => probe.cjkFonts() },
  // deploy/mosquitto/plugin/build.ts compiles the broker's identity plugin in the tests that start Mosquitto.
  ...FOR_INSTALL.filter((need) => need.what === "a C compiler"),
  { what: "Mosquitto's plugin headers", packages: ["mosquitto-dev"], present: (probe) => probe.exists("/usr/include/mosquitto_broker.h") },
  { what: "libmosquitto's headers", packages: ["libmosquitto-dev"], present: (probe) => probe.exists("/usr/include/mosquitto.h") },
  { what: "OpenSSL's headers", packages: ["libssl-dev"], present: (probe) => probe.exists("/usr/include/openssl/sha.h") },
];

/** Looks at this machine. */
export const systemProbe = {
  onPath: (name) => spawnSync("/bin/sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0,
  exists: (path) => existsSync(path),
  cjkFonts: () => existsSync("/usr/share/fonts/opentype/noto") && readdirSync("/usr/share/fonts/opentype/noto").some((f) => /CJK/i.test(f)),
};

/** The Debian packages to install for `needs`, each once, in the order listed. */
export function missingPackages(needs, probe) {
  const missing = [];
  for (const need of needs) if (!need.present(probe)) for (const name of need.packages) if (!missing.includes(name)) missing.push(name);
  return missing;
}

/** The commands that install `packages` (run as root). */
export function aptCommands(packages) {
  return [
    ["apt-get", ["update", "-qq"]],
    ["apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...packages]],
  ];
}
