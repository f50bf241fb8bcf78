import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

/** A thread's first module when it runs through tsx: it registers tsx's loader, then imports `workerData.script`. */
const BOOT = new URL("./thread-boot.mjs", import.meta.url);

/**
 * How to start a thread whose module is `entry` (TypeScript): `module` for the Worker, and the
 * `script` to put in its workerData when `module` is the tsx boot. Bundled (bundledWorker), or
 * through tsx for a test's own module (`override`) or when the bundle cannot be written (told
 * to `warn`, with why).
 */
export async function threadEntry(entry: URL, options: { override?: string; warn?: (error: Error) => void } = {}): Promise<{ module: URL; script?: string }> {
  if (options.override) return { module: BOOT, script: options.override };
  try {
    return { module: await bundledWorker(entry) };
  } catch (error) {
    options.warn?.(error as Error);
    return { module: BOOT, script: entry.href };
  }
}

/** Where bundles are kept: under node_modules, so the packages they import resolve as usual. */
const CACHE = new URL("../../node_modules/.cache/shouwang/", import.meta.url);

const built = new Map<string, Promise<URL>>();

/**
 * A worker thread's module graph as one JavaScript file, built by esbuild (already the
 * project's, under tsx), so the thread runs without tsx. Why: the cloud is TypeScript run
 * through tsx, and a worker thread must register tsx's loader for itself (thread-boot.mjs),
 * which then transforms each of the thread's 45 modules as it loads them: about 1.2 s of CPU
 * at every start and 63 MB of memory where the bundle takes 35 (bench:storm's cloud RSS).
 * Packages stay imports, resolved from node_modules. The file is named by its content and
 * written whole before it is renamed into place, so two clouds starting at once never read a
 * half-written one. Built once per process.
 */
export function bundledWorker(entry: URL): Promise<URL> {
  let bundle = built.get(entry.href);
  if (!bundle) {
    bundle = writeBundle(entry);
    built.set(entry.href, bundle);
    bundle.catch(() => built.delete(entry.href));
  }
  return bundle;
}

async function writeBundle(entry: URL): Promise<URL> {
  const result = await build({
    entryPoints: [fileURLToPath(entry)],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    write: false,
    logLevel: "silent",
  });
  const code = result.outputFiles[0].contents;
  const name = `${fileURLToPath(entry).split("/").pop()!.replace(/\.ts$/, "")}-${createHash("sha256").update(code).digest("hex").slice(0, 16)}.mjs`;
  const dir = fileURLToPath(CACHE);
  const path = `${dir}${name}`;
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    const partial = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(partial, code);
    renameSync(partial, path);
  }
  return pathToFileURL(path);
}
