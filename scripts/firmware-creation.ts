/**
 * `npm run firmware:creation`: writes each node kind's device manifest,
 * `firmware/kinds/<kind>/manifest.json`, which includes the common `manifest.json`, sets
 * `config.kind` and XS's creation sizes for that kind. The sizes are the kind's high-water marks
 * from `npm run bench:memory` (below, as run) with a stated margin.
 *
 * mcconfig merges an including manifest after what it includes (tools/mcmanifest.js
 * `parseManifest` pushes a manifest after its includes; `mergePlatform` merges `creation` key by
 * key, the last one winning), so a kind manifest's `creation` and `config.kind` are the build's.
 * A `kind=` on mcconfig's command line would change only the kind, so builds name the kind's
 * manifest instead.
 *
 *   npm run firmware:creation [-- --check]   (--check: fail if a kind manifest is out of date)
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { NODE_KINDS, type NodeKind } from "../shared/node-kinds";
import { ROOT, type Creation } from "./lin-host/sdk";

/** What the SDK gives XS on every ESP32-WROOM board target (build/devices/esp32/targets/*). */
export const WROOM_BUDGET = { chunkBytes: 78_848, slots: 4_928, stackSlots: 512 };
/** Goal: what a kind holds and its stack's peak leave this much of each budget to spare. */
export const SPARE_GOAL = 0.3;
/**
 * Over the measured high-water marks: heaps and keys 50 %; the stack 45 %, for a deeper call path
 * than the runs took (60 % over the elevator's 352 slots would pass the WROOM's 512).
 */
export const MARGIN = { heap: 0.5, stack: 0.45, keys: 0.5 };

/**
 * A kind's high-water marks, 32-bit, preloaded: slots and chunk bytes at their peak between
 * collections on the SDK's growing heap and runtime keys, from `npm run bench:memory` (the larger
 * of boot and the hour); held after a full collection (live) and the stack's peak in slots, the
 * larger of that and `npm run firmware:host-run -- --kind <kind> --arch x86-32` (a fleet node's
 * claim at first boot, which the bench's fixed-id nodes skip, goes deepest).
 */
export interface MemoryMarks {
  slotsPeak: number;
  chunksPeak: number;
  slotsLive: number;
  chunksLive: number;
  stackPeak: number;
  keys: number;
}

/** SDK 8.2.3 (48ee02d8), x86-32, an hour at 60×; the runs are in firmware/README.md. */
export const MEASURED: Readonly<Record<NodeKind, MemoryMarks>> = {
  sensor: { slotsPeak: 2_803, chunksPeak: 32_832, slotsLive: 2_491, chunksLive: 13_592, stackPeak: 316, keys: 48 },
  elevator: { slotsPeak: 2_047, chunksPeak: 32_760, slotsLive: 1_828, chunksLive: 11_896, stackPeak: 352, keys: 48 },
  capsule: { slotsPeak: 2_047, chunksPeak: 32_728, slotsLive: 1_800, chunksLive: 11_604, stackPeak: 341, keys: 47 },
};

const roundUp = (value: number, step: number) => Math.ceil(value / step) * step;

/** Fixed sizes (nothing grows into ESP-IDF's heap) from a kind's marks and {@link MARGIN}. */
export function creationFor(marks: MemoryMarks): Creation {
  return {
    chunk: { initial: roundUp(marks.chunksPeak * (1 + MARGIN.heap), 1024), incremental: 0 },
    heap: { initial: roundUp(marks.slotsPeak * (1 + MARGIN.heap), 64), incremental: 0 },
    stack: roundUp(marks.stackPeak * (1 + MARGIN.stack), 16),
    keys: { initial: roundUp(marks.keys * (1 + MARGIN.keys), 8), incremental: 32 },
  };
}

export interface KindManifest {
  include: string[];
  config: { kind: NodeKind };
  /** `static: 0`: separate chunk and slot heaps of these sizes, not one static block (as the SDK's ESP32 targets). */
  creation: Creation & { static: 0 };
}

export const kindManifestPath = (kind: NodeKind) => `firmware/kinds/${kind}/manifest.json`;

export function kindManifest(kind: NodeKind): KindManifest {
  return { include: ["../../../manifest.json"], config: { kind }, creation: { static: 0, ...creationFor(MEASURED[kind]) } };
}

/** The creation a kind's device build sets, as its manifest holds it. */
export function kindCreation(kind: NodeKind): Creation {
  return (JSON.parse(readFileSync(join(ROOT, kindManifestPath(kind)), "utf8")) as KindManifest).creation;
}

/** Creation bytes in all: chunks, and slots and stack of 16 bytes on the ESP32. */
export const creationBytes = (creation: Creation) => creation.chunk.initial + 16 * (creation.heap.initial + creation.stack);

function main(): void {
  const checkOnly = process.argv.includes("--check");
  const stale: string[] = [];
  for (const kind of NODE_KINDS) {
    const path = join(ROOT, kindManifestPath(kind));
    const text = `${JSON.stringify(kindManifest(kind), null, 2)}\n`;
    if (existsSync(path) && readFileSync(path, "utf8") === text) continue;
    stale.push(kindManifestPath(kind));
    if (!checkOnly) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    }
  }
  if (checkOnly && stale.length) {
    console.error(`Out of date: ${stale.join(", ")}. Run \`npm run firmware:creation\`.`);
    process.exit(1);
  }
  console.log(stale.length ? `${checkOnly ? "Would write" : "Wrote"} ${stale.join(", ")}` : "Every kind manifest is up to date.");
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) main();
