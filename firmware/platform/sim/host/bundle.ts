import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const cache = new Map<string, Promise<string>>();

/** Path of a firmware source file, from the repository's firmware/ folder. */
export function firmwarePath(relative: string): string {
  return fileURLToPath(new URL(`../../../${relative}`, import.meta.url));
}

/**
 * Bundles a firmware entry and everything it imports into one script for XS. Nothing is
 * polyfilled or shimmed: a module that reaches for a Node or DOM API bundles fine and then fails
 * inside XS, as it would on the device.
 */
export function bundleForXs(entry: string): Promise<string> {
  let bundled = cache.get(entry);
  if (!bundled) {
    bundled = build({
      entryPoints: [entry],
      bundle: true,
      format: "iife",
      platform: "neutral",
      target: "es2022",
      write: false,
      logLevel: "silent",
    }).then((result) => result.outputFiles[0].text);
    cache.set(entry, bundled);
    bundled.catch(() => cache.delete(entry));
  }
  return bundled;
}
