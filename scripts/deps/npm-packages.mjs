// Which of package-lock.json's packages node_modules lacks or holds at another version. Decided
// by content, not by file times: a checkout or a merge touches package-lock.json without changing
// what it asks for, and must not trigger a reinstall.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * @param {string} root the folder holding package-lock.json and node_modules
 * @returns {string[]} lockfile paths ("node_modules/a/node_modules/b") missing or at another version
 */
export function stalePackages(root) {
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8"));
  const stale = [];
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    // "" is the project itself; optional packages are the other platforms' binaries (esbuild, sharp), links are workspaces.
    if (path === "" || entry.optional || entry.link || !entry.version) continue;
    const manifest = join(root, path, "package.json");
    if (!existsSync(manifest)) {
      stale.push(path);
      continue;
    }
    const installed = JSON.parse(readFileSync(manifest, "utf8")).version;
    if (installed !== entry.version) stale.push(path);
  }
  return stale;
}
