import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ManifestError, webToolsManifest, type FlasherArgs, type WebToolsManifest } from "./web-tools-manifest";

/** One published build: a node kind's firmware at a version, ready for the flashing page. */
export interface PublishedBuild {
  kind: string;
  version: string;
  chipFamily: string;
  manifest: WebToolsManifest;
}

const SAFE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Builds for the makers' flashing page, under `<dataDir>/firmware/<kind>/<version>/`: the binaries
 * ESP-IDF made and the ESP Web Tools manifest that lists them.
 */
export class FirmwareStore {
  readonly root: string;

  constructor(dataDir: string) {
    this.root = join(dataDir, "firmware");
  }

  /** Copies a build folder's flash files and writes their manifest. */
  publish(buildDir: string, kind: string, version: string): PublishedBuild {
    if (!SAFE.test(kind) || !SAFE.test(version)) throw new ManifestError(`kind "${kind}" and version "${version}" may hold letters, digits, dots, dashes and underscores only`);
    const argsPath = join(buildDir, "flasher_args.json");
    if (!existsSync(argsPath)) throw new ManifestError(`${argsPath} is missing: give --build the ESP-IDF build folder of a \`mcconfig -m -p esp32\` build`);
    const args = JSON.parse(readFileSync(argsPath, "utf8")) as FlasherArgs;
    const manifest = webToolsManifest(args, { name: `守望 Shouwang ${kind}`, version });
    const target = join(this.root, kind, version);
    mkdirSync(target, { recursive: true });
    for (const [offset, path] of Object.entries(args.flash_files)) {
      const source = join(buildDir, path);
      if (!existsSync(source)) throw new ManifestError(`${source} (for ${offset}) is missing from the build folder`);
      copyFileSync(source, join(target, path.split(/[\\/]/).pop()!));
    }
    writeFileSync(join(target, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    return { kind, version, chipFamily: manifest.builds[0].chipFamily, manifest };
  }

  list(): PublishedBuild[] {
    if (!existsSync(this.root)) return [];
    const builds: PublishedBuild[] = [];
    for (const kind of readdirSync(this.root).filter((name) => SAFE.test(name))) {
      for (const version of readdirSync(join(this.root, kind)).filter((name) => SAFE.test(name))) {
        const path = join(this.root, kind, version, "manifest.json");
        if (!existsSync(path)) continue;
        const manifest = JSON.parse(readFileSync(path, "utf8")) as WebToolsManifest;
        builds.push({ kind, version, chipFamily: manifest.builds[0]?.chipFamily ?? "", manifest });
      }
    }
    return builds.sort((a, b) => a.kind.localeCompare(b.kind) || b.version.localeCompare(a.version, undefined, { numeric: true }));
  }

  /** A published file's path, or null for anything outside a build (no `..`, no other folders). */
  file(kind: string, version: string, name: string): string | null {
    if (!SAFE.test(kind) || !SAFE.test(version) || !SAFE.test(name)) return null;
    const path = join(this.root, kind, version, name);
    return existsSync(path) ? path : null;
  }
}
