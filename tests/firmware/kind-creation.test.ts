import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { flashCommand } from "../../cloud/fleet/batches";
import type { Batch } from "../../cloud/fleet/queries";
import { creationBytes, kindManifest, kindManifestPath, MARGIN, MEASURED, SPARE_GOAL, WROOM_BUDGET } from "../../scripts/firmware-creation";
import { ROOT } from "../../scripts/lin-host/sdk";
import { NODE_KINDS } from "../../shared/node-kinds";

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/** Object properties merged key by key, the later manifest winning, as mcconfig merges `config` and `creation`. */
function mergeInto(target: Json, source: unknown): void {
  if (!isObject(source)) return;
  for (const [key, value] of Object.entries(source)) {
    if (isObject(target[key]) && isObject(value)) mergeInto(target[key], value);
    else target[key] = value;
  }
}

/**
 * The `config` and `creation` a build of `file` for `platform` gets from this repository's
 * manifests: includes (and the matching platform block's includes) before the manifest itself,
 * each manifest once. The SDK's own manifests ($(MODDABLE)…) are left out: the check is that ours
 * give one creation, the kind's.
 */
function merged(file: string, platform: string): { config: Json; creation: Json; files: string[] } {
  const seen = new Set<string>();
  const order: Json[] = [];
  const files: string[] = [];
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    const manifest = JSON.parse(readFileSync(path, "utf8")) as Json;
    const platforms = (manifest.platforms ?? {}) as Record<string, Json>;
    const block = platforms[platform] ?? platforms[platform.split("/")[0]];
    const includes = [manifest.include, block?.include].flat().filter((entry): entry is string => typeof entry === "string" && !entry.startsWith("$("));
    for (const include of includes) visit(resolve(dirname(path), include));
    order.push(manifest, ...(block ? [block] : []));
    files.push(path);
  };
  visit(join(ROOT, file));
  const config: Json = {};
  const creation: Json = {};
  for (const manifest of order) {
    mergeInto(config, manifest.config);
    mergeInto(creation, manifest.creation);
  }
  return { config, creation, files };
}

describe("XS creation sizes per node kind", () => {
  it.each(NODE_KINDS)("%s has its own manifest, as npm run firmware:creation writes it from the measured marks", (kind) => {
    const path = join(ROOT, kindManifestPath(kind));
    expect(existsSync(path), `${kindManifestPath(kind)} is missing: run \`npm run firmware:creation\``).toBe(true);
    expect(JSON.parse(readFileSync(path, "utf8")), "run `npm run firmware:creation`").toEqual(kindManifest(kind));
  });

  it.each(NODE_KINDS.flatMap((kind) => ["esp32", "esp32/esp32s3"].map((platform) => [kind, platform] as const)))(
    "a %s build for %s gets that kind and that kind's creation, from its manifest alone",
    (kind, platform) => {
      const own = kindManifest(kind);
      const build = merged(kindManifestPath(kind), platform);
      expect(build.files).toContain(join(ROOT, "manifest.json"));
      expect(build.files).toContain(join(ROOT, "firmware/platform/esp32/manifest.json"));
      expect(build.config.kind).toBe(kind);
      expect(build.creation).toEqual(own.creation);
    },
  );

  it("leaves creation to the kind manifests: the shared manifests set none for a device", () => {
    for (const platform of ["esp32", "esp32/esp32s3"]) expect(merged("manifest.json", platform).creation).toEqual({});
  });

  it.each(NODE_KINDS)("%s: its creation covers its measured marks with the stated margin and fits the ESP32-WROOM", (kind) => {
    const { creation } = kindManifest(kind);
    const marks = MEASURED[kind];
    expect(creation.heap.initial).toBeGreaterThanOrEqual(marks.slotsPeak * (1 + MARGIN.heap));
    expect(creation.chunk.initial).toBeGreaterThanOrEqual(marks.chunksPeak * (1 + MARGIN.heap));
    expect(creation.stack).toBeGreaterThanOrEqual(marks.stackPeak * (1 + MARGIN.stack));
    expect(creation.keys.initial).toBeGreaterThanOrEqual(marks.keys * (1 + MARGIN.keys));
    expect([creation.chunk.incremental, creation.heap.incremental], "fixed: nothing grows into ESP-IDF's heap").toEqual([0, 0]);
    expect(creation.heap.initial).toBeLessThanOrEqual(WROOM_BUDGET.slots);
    expect(creation.chunk.initial).toBeLessThanOrEqual(WROOM_BUDGET.chunkBytes);
    expect(creation.stack).toBeLessThanOrEqual(WROOM_BUDGET.stackSlots);
    // The goal: what the kind holds after a collection, and its stack's peak, leave 30 % of each budget.
    const spare = 1 - SPARE_GOAL;
    expect(marks.slotsLive).toBeLessThanOrEqual(WROOM_BUDGET.slots * spare);
    expect(marks.chunksLive).toBeLessThanOrEqual(WROOM_BUDGET.chunkBytes * spare);
    expect(marks.stackPeak).toBeLessThanOrEqual(WROOM_BUDGET.stackSlots * spare);
    expect(creationBytes(creation)).toBeLessThanOrEqual(WROOM_BUDGET.chunkBytes + 16 * (WROOM_BUDGET.slots + WROOM_BUDGET.stackSlots));
  });

  it.each(NODE_KINDS)("the flash command for a %s batch builds from that kind's manifest, with no kind= to contradict it", (kind) => {
    const batch = { id: "b-1", kind, board: "esp32-devkitc" } as Batch;
    const command = flashCommand(batch, { mqttHost: "mqtt.example", mqttPort: 1883 });
    expect(command).toContain(`-p esp32 ./${kindManifestPath(kind)} `);
    expect(command).not.toMatch(/\bkind=/);
  });
});
