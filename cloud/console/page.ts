import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The shared stylesheet, inlined so the page is styled before the script arrives. */
const STYLES = readFileSync(join(dirname(fileURLToPath(import.meta.url)), "app", "styles.css"), "utf8");

/**
 * The console's one HTML page; the app (Lit components, bundled by ./build.ts) draws every view
 * inside <sw-app>. The stylesheets the app imports (uPlot's) come first, so the console's own
 * rules win. Everything is served by this cloud: no CDN, so it works on a community LAN.
 */
export function consolePage(bundleHash: string, bundleCss = ""): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<link rel="icon" href="data:,">
<title>守望 · 社区安全</title>
<style>${bundleCss}</style>
<style>${STYLES}</style>
</head>
<body>
<sw-app><p class="boot">正在打开… Loading…</p></sw-app>
<noscript><p class="boot">请打开浏览器的 JavaScript。Please turn on JavaScript.</p></noscript>
<script type="module" src="/console/app.js?v=${bundleHash}"></script>
</body>
</html>`;
}
