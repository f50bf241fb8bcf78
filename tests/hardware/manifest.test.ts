import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { calibrationProblem } from "../../firmware/calibration";
import { esp32DevkitC, esp32S3DevkitC1 } from "../../hardware/boards";
import { manifestPlatformConfig, wiringDocuments, withBoardConfigs } from "../../hardware/generate";
import { planPreload, preloadManifest } from "../../scripts/firmware-preload";

const root = fileURLToPath(new URL("../..", import.meta.url));
const manifest = JSON.parse(readFileSync(join(root, "manifest.json"), "utf8")) as {
  modules: Record<string, string>;
  platforms: Record<string, { build?: Record<string, string>; config?: { board?: string; pins?: Record<string, number>; sensors?: unknown } }>;
};

/** The firmware's modules as every manifest lists them (the root's, and each platform's), paths relative to the repository. */
function listedModules(): Array<{ manifest: string; key: string; path: string }> {
  return ["manifest.json", "firmware/platform/esp32/manifest.json", "firmware/platform/lin/manifest.json"].flatMap((file) => {
    const modules = (JSON.parse(readFileSync(join(root, file), "utf8")) as { modules: Record<string, string> }).modules;
    return Object.entries(modules)
      .filter(([, path]) => typeof path === "string" && !path.startsWith("$("))
      .map(([key, path]) => ({ manifest: file, key, path: `./${relative(root, resolve(root, dirname(file), path))}` }));
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe("manifest.json", () => {
  it.each([
    ["esp32", esp32DevkitC],
    ["esp32/esp32s3", esp32S3DevkitC1],
  ])("gives %s the pins, ADC scale, output drive and sensor calibration of its board definition", (platform, board) => {
    expect(manifest.platforms[platform].config).toEqual(manifestPlatformConfig(board));
    expect(board.platform).toBe(platform);
    expect(calibrationProblem(manifestPlatformConfig(board).sensors, board.adcResolutionBits)).toBeNull();
  });

  it("is what `npm run hardware` generates from the board definitions, and so are the wiring documents", () => {
    expect(manifest).toEqual(withBoardConfigs(manifest));
    // Regenerating keeps each platform's build section (the watchdog's sdkconfig).
    const stripped = { ...manifest, platforms: Object.fromEntries(Object.entries(manifest.platforms).map(([name, section]) => [name, { ...section, config: {} }])) };
    for (const platform of ["esp32", "esp32/esp32s3"]) {
      expect(withBoardConfigs(stripped).platforms[platform]).toEqual(manifest.platforms[platform]);
    }
    for (const [path, text] of Object.entries(wiringDocuments())) {
      expect(readFileSync(join(root, path), "utf8"), `${path} is out of date: run \`npm run hardware\``).toBe(text);
    }
  });

  it.each([
    ["esp32", esp32DevkitC],
    ["esp32/esp32s3", esp32S3DevkitC1],
  ])("builds %s with the task watchdog on and the elevator lock's relay pulse-held", (platform, board) => {
    const dir = manifest.platforms[platform].build?.SDKCONFIGPATH;
    expect(dir).toBeDefined();
    const sdkconfig = readFileSync(join(root, dir!, "sdkconfig.defaults"), "utf8");
    for (const line of ["CONFIG_ESP_TASK_WDT_EN=y", "CONFIG_ESP_TASK_WDT_INIT=y", "CONFIG_ESP_TASK_WDT_PANIC=y"]) expect(sdkconfig.split("\n")).toContain(line);
    expect(board.outputDrive.relayLock).toMatchObject({ drive: "pulse" });
    const gpios = Object.values(board.pins);
    expect(new Set(gpios).size, "no GPIO named twice").toBe(gpios.length);
  });

  it("lists every device-side firmware module (mcconfig's wildcards do not recurse)", () => {
    const keys = listedModules().map(({ key, path }) => [key, path] as const);
    const sources = [...filesUnder(join(root, "firmware")), ...filesUnder(join(root, "shared"))]
      .map((file) => relative(root, file))
      .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts") && !file.startsWith("firmware/platform/sim/"));
    for (const source of sources) {
      const withoutExt = source.replace(/\.ts$/, "");
      const covered = keys.some(([key, path]) => {
        if (!key.endsWith("/*")) return path === `./${withoutExt}` && key === withoutExt;
        const folder = key.slice(0, -1);
        return withoutExt.startsWith(folder) && !withoutExt.slice(folder.length).includes("/") && path === `./${folder}*`;
      });
      expect(covered, `${source} is not in manifest.json's modules (keys must mirror the folders)`).toBe(true);
    }
  });

  it("keeps host-only simulator code out of the device build; only the Linux host build takes its IO classes", () => {
    for (const { manifest: file, path } of listedModules()) {
      if (file === "firmware/platform/lin/manifest.json") continue;
      expect(path, `${file}`).not.toMatch(/platform\/sim/);
    }
    const host = listedModules().filter((m) => m.manifest === "firmware/platform/lin/manifest.json" && m.path.includes("platform/sim"));
    expect(host.map((m) => m.path)).toEqual(["./firmware/platform/sim/sim-io"]);
  });

  it("preloads what firmware/preload.json lists: modules the manifests hold and that can be preloaded, the node's logic among them", () => {
    expect((manifest as unknown as { include: string[] }).include).toContain("./firmware/preload.json");
    const listed = JSON.parse(readFileSync(join(root, "firmware/preload.json"), "utf8")) as { preload: string[]; platforms: Record<string, { preload: string[] }> };
    const plan = planPreload();
    // mcconfig ignores a preload entry that names no module, and one that cannot be preloaded fails the build:
    // every entry must be one the generator would write today. A module added since is only not yet
    // preloaded (`npm run firmware:preload` adds it; `npm run bench:memory` shows what it costs).
    for (const entry of listed.preload) expect(plan.preload, `${entry}: run \`npm run firmware:preload\``).toContain(entry);
    for (const [platform, { preload }] of Object.entries(listed.platforms)) {
      for (const entry of preload) expect(plan.platforms[platform], `${platform} ${entry}: run \`npm run firmware:preload\``).toContain(entry);
    }
    // The node's logic preloads; what stays out is platform glue that touches native code when it loads.
    for (const specifier of Object.keys(plan.notPreloaded)) expect(specifier).toMatch(/^(main|firmware\/platform\/)/);
    for (const logic of ["firmware/link/uplink", "firmware/node/boot-node", "firmware/detectors/smoke", "shared/codec"]) expect(listed.preload).toContain(logic);
    expect(listed.platforms.esp32.preload).toContain("firmware/platform/esp32/ecma419-mqtt");
    expect(preloadManifest(plan)).toContain('"notPreloaded"');
  });
});
