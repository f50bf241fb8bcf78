/**
 * Compiles the identity plugin (shouwang_auth.c) for the Mosquitto on this machine, once per
 * version of its source: the result is cached under node_modules/.cache/shouwang by the source's
 * hash. Needs gcc and Debian's mosquitto-dev, libmosquitto-dev and libssl-dev (`npm test`
 * installs them: scripts/ensure-deps.mjs). Usage: npx tsx deploy/mosquitto/plugin/build.ts [output.so]  — prints the library's path.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const SOURCE = fileURLToPath(new URL("./shouwang_auth.c", import.meta.url));
const CACHE = fileURLToPath(new URL("../../../node_modules/.cache/shouwang/", import.meta.url));

export function identityPluginPath(): string {
  const hash = createHash("sha256").update(readFileSync(SOURCE)).digest("hex").slice(0, 16);
  const output = join(CACHE, `shouwang_auth-${hash}.so`);
  if (existsSync(output)) return output;
  mkdirSync(CACHE, { recursive: true });
  // Built under a name of its own and renamed into place: test files starting brokers in parallel
  // never load a half-written library.
  const partial = `${output}.${process.pid}.tmp`;
  const gcc = spawnSync("gcc", ["-std=c11", "-D_GNU_SOURCE", "-O2", "-Wall", "-Wextra", "-Werror", "-fPIC", "-shared", "-o", partial, SOURCE, "-lcrypto"], { encoding: "utf8" });
  if (gcc.error || gcc.status !== 0) {
    throw new Error(
      `could not build the broker's identity plugin (needs gcc, mosquitto-dev, libmosquitto-dev, libssl-dev): ${gcc.error?.message ?? gcc.stderr}`,
    );
  }
  renameSync(partial, output);
  return output;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const built = identityPluginPath();
  const target = process.argv[2];
  if (target) {
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(built, target);
  }
  console.log(target ?? built);
}
