import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CliIo } from "../../cloud/cli/context";
import { runCli } from "../../cloud/cli/main";
import { FirmwareStore } from "../../cloud/flashing/firmware-store";
import { flashingRoutes } from "../../cloud/flashing/routes";

/** An ESP-IDF build folder as `idf.py build` leaves it: flasher_args.json and the files it names. */
function idfBuild(chip: string, bootloaderOffset: string): string {
  const dir = mkdtempSync(join(tmpdir(), "sw-idf-"));
  mkdirSync(join(dir, "bootloader"));
  mkdirSync(join(dir, "partition_table"));
  const files: Record<string, string> = {
    [bootloaderOffset]: "bootloader/bootloader.bin",
    "0x8000": "partition_table/partition-table.bin",
    "0xd000": "ota_data_initial.bin",
    "0x10000": "xs_esp32.bin",
  };
  for (const [offset, path] of Object.entries(files)) writeFileSync(join(dir, path), `image at ${offset}`);
  writeFileSync(
    join(dir, "flasher_args.json"),
    JSON.stringify({
      write_flash_args: ["--flash_mode", "dio", "--flash_size", "4MB", "--flash_freq", "40m"],
      flash_settings: { flash_mode: "dio", flash_size: "4MB", flash_freq: "40m" },
      flash_files: files,
      extra_esptool_args: { after: "hard_reset", before: "default_reset", stub: true, chip },
    }),
  );
  return dir;
}

async function cli(argv: string[], dataDir: string) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t), progress: { write: () => true, isTTY: false } as never, readFile: () => "", writeFile: () => {}, now: Date.now };
  const code = await runCli(argv, io, { DATA_DIR: dataDir });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("firmware for the flashing page", () => {
  it("publishes an ESP-IDF build as an ESP Web Tools manifest, parts in flash order", async () => {
    const data = mkdtempSync(join(tmpdir(), "sw-data-"));
    const result = await cli(["firmware", "publish", "--build", idfBuild("esp32", "0x1000"), "--kind", "sensor", "--version", "0.3.0"], data);
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    expect(result.out).toContain("Published sensor 0.3.0 for ESP32");
    const manifest = JSON.parse(readFileSync(join(data, "firmware", "sensor", "0.3.0", "manifest.json"), "utf8"));
    expect(manifest).toEqual({
      name: "守望 Shouwang sensor",
      version: "0.3.0",
      new_install_prompt_erase: true,
      new_install_improv_wait_time: 15,
      builds: [
        {
          chipFamily: "ESP32",
          parts: [
            { path: "bootloader.bin", offset: 0x1000 },
            { path: "partition-table.bin", offset: 0x8000 },
            { path: "ota_data_initial.bin", offset: 0xd000 },
            { path: "xs_esp32.bin", offset: 0x10000 },
          ],
        },
      ],
    });
    expect(readFileSync(join(data, "firmware", "sensor", "0.3.0", "xs_esp32.bin"), "utf8")).toBe("image at 0x10000");
    await cli(["firmware", "publish", "--build", idfBuild("esp32s3", "0x0"), "--kind", "elevator", "--version", "0.3.1"], data);
    const listed = await cli(["firmware", "list"], data);
    expect(listed.out).toMatch(/elevator\s+0\.3\.1\s+ESP32-S3\s+4/);
    expect(listed.out).toMatch(/sensor\s+0\.3\.0\s+ESP32\s+4/);
  });

  it("refuses a build for another chip, a folder that is no build, and names that could leave the store", async () => {
    const data = mkdtempSync(join(tmpdir(), "sw-data-"));
    expect((await cli(["firmware", "publish", "--build", idfBuild("esp32c3", "0x0"), "--kind", "sensor", "--version", "1"], data)).err).toMatch(/chip "esp32c3"/);
    expect((await cli(["firmware", "publish", "--build", data, "--kind", "sensor", "--version", "1"], data)).err).toMatch(/flasher_args\.json is missing/);
    expect((await cli(["firmware", "publish", "--build", idfBuild("esp32", "0x1000"), "--kind", "../etc", "--version", "1"], data)).err).toMatch(/may hold letters/);
    expect((await cli(["firmware", "publish", "--kind", "sensor"], data)).code).toBe(1);
    const store = new FirmwareStore(data);
    expect(store.file("sensor", "1", "../../shouwang.db")).toBeNull();
    expect(store.file("..", "firmware", "x")).toBeNull();
  });

  it("serves the flashing page, ESP Web Tools itself and the published files, all from the cloud", async () => {
    const data = mkdtempSync(join(tmpdir(), "sw-data-"));
    await cli(["firmware", "publish", "--build", idfBuild("esp32", "0x1000"), "--kind", "capsule", "--version", "0.4.0"], data);
    const store = new FirmwareStore(data);
    const open = flashingRoutes({ store });
    const page = await (await open.request("/")).text();
    expect(page).toContain('<esp-web-install-button manifest="/flash/capsule/0.4.0/manifest.json">');
    expect(page).toContain("应急救援站（胶囊）");
    expect(page).not.toMatch(/src="https?:/);
    const tool = await open.request("/tools/install-button.js");
    expect(tool.status).toBe(200);
    expect(tool.headers.get("content-type")).toContain("javascript");
    // Every chunk the install button loads is served too.
    for (const chunk of (await tool.text()).matchAll(/import\("\.\/([^"]+)"\)/g)) expect((await open.request(`/tools/${chunk[1]}`)).status).toBe(200);
    expect((await open.request("/tools/..%2Fpackage.json")).status).toBe(404);
    const manifest = await open.request("/capsule/0.4.0/manifest.json");
    expect(await manifest.json()).toMatchObject({ builds: [{ chipFamily: "ESP32" }] });
    expect(await (await open.request("/capsule/0.4.0/xs_esp32.bin")).text()).toBe("image at 0x10000");
    expect((await open.request("/capsule/0.4.0/..%2F..%2F..%2Fshouwang.db")).status).toBe(404);
  });
});
