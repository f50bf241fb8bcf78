import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Hono } from "hono";
import { html } from "hono/html";
import type { FirmwareStore } from "./firmware-store";

/** ESP Web Tools' own browser build, served from node_modules so the page works with no internet. */
const TOOLS_DIR = join(dirname(createRequire(import.meta.url).resolve("esp-web-tools/package.json")), "dist", "web");
const TOOL_FILE = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.js$/;
const KIND_WORDS: Record<string, string> = { sensor: "传感器节点", elevator: "电梯电动车管控", capsule: "应急救援站（胶囊）" };

/**
 * The makers' flashing page: every published build with ESP Web Tools' install button, which flashes
 * a board from Chrome or Edge over USB and then offers Improv Wi-Fi over the same cable. The route
 * policy admits admins only (cloud/auth/route-policy.ts): a fleet build may carry its batch's claim settings.
 */
export function flashingRoutes(deps: { store: FirmwareStore }) {
  const app = new Hono();

  app.get("/", (c) => {
    const builds = deps.store.list();
    return c.html(html`<!doctype html>
<html lang="zh-CN">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width,initial-scale=1" />
    <title>设备烧录 · Flash a board</title>
    <script type="module" src="/flash/tools/install-button.js"></script>
    <style>
      body{margin:0;font:18px/1.55 "Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;color:#1b1b1b;background:#f6f6f4}
      main{max-width:880px;margin:0 auto;padding:16px}h1{color:#a1221b}.en{display:block;font-size:14px;color:#4a4a4a}
      .build{background:#fff;border:1px solid #d6d6d0;border-radius:10px;padding:14px;margin:12px 0;display:flex;flex-wrap:wrap;gap:12px;align-items:center;justify-content:space-between}
      .note{background:#fff4d6;border-radius:8px;padding:12px}
      esp-web-install-button button{min-height:48px;font-size:18px;padding:0 20px;border-radius:8px;border:0;background:#1d4f91;color:#fff}
    </style>
  </head>
  <body>
    <main>
      <h1>设备烧录<span class="en">Flash a board</span></h1>
      <ol>
        <li>用 USB 数据线把开发板接到这台电脑。<span class="en">Connect the board to this computer with a USB data cable.</span></li>
        <li>点该型号旁的“烧录”，选中开发板的串口。<span class="en">Press "Flash" beside the build and pick the board's serial port.</span></li>
        <li>烧完后可在这里填 Wi-Fi；也可以留到安装时用手机设置。<span class="en">After flashing, give it Wi-Fi here, or leave that to the installer's phone.</span></li>
      </ol>
      <p class="note">
        需要电脑版 Chrome 或 Edge，并通过 https:// 或本机地址打开本页（浏览器只在安全连接下开放串口）。
        <span class="en">Needs desktop Chrome or Edge, and this page opened over https:// or on localhost (browsers allow serial ports only there).</span>
      </p>
      ${builds.length === 0
        ? html`<p>还没有发布的固件：在服务器上运行 <code>npx shouwang firmware publish</code>。<span class="en">No firmware published yet: run <code>npx shouwang firmware publish</code> on the server.</span></p>`
        : builds.map(
            (b) => html`<section class="build" data-build="${b.kind}/${b.version}">
              <div><b>${KIND_WORDS[b.kind] ?? b.kind}</b> ${b.version} · ${b.chipFamily}<span class="en">${b.kind} firmware ${b.version} for ${b.chipFamily}</span></div>
              <esp-web-install-button manifest="/flash/${b.kind}/${b.version}/manifest.json">
                <button slot="activate">烧录 Flash</button>
                <span slot="unsupported">这个浏览器不能烧录：请用电脑版 Chrome 或 Edge。 This browser cannot flash: use desktop Chrome or Edge.</span>
                <span slot="not-allowed">请用 https:// 或本机地址打开本页。 Open this page over https:// or on localhost.</span>
              </esp-web-install-button>
            </section>`,
          )}
    </main>
  </body>
</html>`);
  });

  app.get("/tools/:file", async (c) => {
    const file = c.req.param("file");
    if (!TOOL_FILE.test(file)) return c.json({ error: "not-found", message: "No such file." }, 404);
    const body = await readFile(join(TOOLS_DIR, file)).catch(() => null);
    if (!body) return c.json({ error: "not-found", message: "No such file." }, 404);
    return c.body(body, 200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "public, max-age=86400" });
  });

  app.get("/:kind/:version/:file", async (c) => {
    const path = deps.store.file(c.req.param("kind"), c.req.param("version"), c.req.param("file"));
    if (!path) return c.json({ error: "not-found", message: "No such build file: publish it with `npx shouwang firmware publish`." }, 404);
    const type = path.endsWith(".json") ? "application/json" : "application/octet-stream";
    return c.body(await readFile(path), 200, { "content-type": type, "cache-control": "no-store" });
  });
  return app;
}
