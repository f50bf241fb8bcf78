import { build } from "esbuild";
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
/** The browser app's entry point; everything it imports (Lit, intl-messageformat) is bundled in. */
export const CONSOLE_ENTRY = join(HERE, "app", "main.ts");

export interface ConsoleBundle {
  js: string;
  /** Stylesheets the app imports (uPlot's), bundled beside the script; the page inlines them. */
  css: string;
  /** Content hash, so the page can ask for `/console/app.js?v=<hash>` and browsers cache it for good. */
  hash: string;
}

let bundle: Promise<ConsoleBundle> | undefined;

/**
 * Bundles the console in memory with esbuild (already a dependency): no build output to forget,
 * no CDN, and `npm start` / `npm test` build it by starting the app. One build per process,
 * shared by every app instance (tests start many).
 */
export function consoleBundle(): Promise<ConsoleBundle> {
  bundle ??= build({
    entryPoints: [CONSOLE_ENTRY],
    bundle: true,
    write: false,
    // Nothing is written; esbuild needs a directory only to name the CSS it splits off the script.
    outdir: "console-bundle",
    format: "esm",
    target: "es2022",
    minify: true,
    legalComments: "none",
    logLevel: "silent",
    // Lit's reactive properties are accessors on the prototype; class fields defined the ES way
    // would shadow them and no change would redraw (lit.dev/docs/components/properties, "Avoiding
    // issues with class fields"). So fields are plain assignments, as TypeScript's legacy mode does.
    tsconfigRaw: { compilerOptions: { useDefineForClassFields: false } },
  }).then((result) => {
    const js = result.outputFiles.find((file) => file.path.endsWith(".js"))!.text;
    const css = result.outputFiles.find((file) => file.path.endsWith(".css"))?.text ?? "";
    return { js, css, hash: createHash("sha256").update(js).digest("hex").slice(0, 16) };
  });
  // A failed build is retried at the next request rather than cached.
  bundle.catch(() => (bundle = undefined));
  return bundle;
}
