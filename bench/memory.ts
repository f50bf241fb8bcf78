/**
 * `npm run bench:memory`: what each node kind holds in XS's heap on Moddable's own runtime, at
 * boot and after an hour of operation, with and without the manifest's preload list, against
 * the ESP32-WROOM's budget.
 *
 * The node is built once for Moddable's Linux runtime (`mcconfig -i -p lin`, firmware/platform/lin;
 * like a device build it holds all three kinds' programs, and each run picks one), 32-bit where
 * this computer can run it (qemu-i386 where the kernel cannot), so a slot is 16 bytes and a
 * pointer 4 as on the ESP32. Each kind runs against a real Mosquitto; after it connects its XS
 * meter (firmware/platform/lin/xs-meter.js: slots and chunks in use and at their peak, the
 * stack's peak, runtime keys, modules loaded) is read, then an hour is played at `--scale` times
 * real time (sampling, heartbeats, telemetry, alarms raised and cleared, commands, the broker
 * restarting) and it is read again. Each kind runs three times: preloaded on the SDK's default,
 * growing heap (its high-water marks are what the kind's creation is sized from:
 * scripts/firmware-creation.ts), preloaded inside its own creation (firmware/kinds/<kind>/
 * manifest.json, fixed: no growing), so finishing the hour shows the sizes hold, and linked
 * without the firmware's preloads on the growing heap, for the comparison.
 *
 * The budget is what the SDK itself gives XS on every ESP32 (WROOM, no PSRAM) board target
 * (build/devices/esp32/targets/<board>/manifest.json `creation`): 78,848 bytes of chunks,
 * 4,928 slots of 16 bytes, a stack of 512 slots. Goal: 30 % of each to spare.
 *
 *   MODDABLE=~/moddable npm run bench:memory [-- --kinds sensor,elevator,capsule --heaps growing,creation,not-preloaded --scale 60 --native]
 */
import mqtt from "mqtt";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeCommand } from "../shared/codec";
import { nodeTopic, parseUplinkTopic, uplinkFilters } from "../shared/topics";
import { CLEAN_AIR_COUNTS, mainsCurrent, quietEnvironment } from "../scripts/lin-host/environment";
import { HostNode, type XsMeter } from "../scripts/lin-host/host-node";
import { buildNode, chooseTarget, findSdkOrExit, type NodeBuild } from "../scripts/lin-host/sdk";
import { creationFor, kindCreation, MARGIN, MEASURED, SPARE_GOAL, WROOM_BUDGET, type MemoryMarks } from "../scripts/firmware-creation";
import { isNodeKind, type NodeKind } from "../shared/node-kinds";
import { HOST_BOARD } from "../hardware/generate";
import { sensorCalibration } from "../hardware/calibration";
import { startMosquitto, type Mosquitto } from "../tests/support/mosquitto";

const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
};
const KINDS = arg("kinds", "sensor,elevator,capsule").split(",").filter((kind): kind is NodeKind => {
  if (!isNodeKind(kind)) throw new Error(`--kinds: ${kind} is not a node kind`);
  return true;
});
/** growing: preloaded, SDK's default heap; creation: preloaded, the kind's own fixed creation; not-preloaded: growing heap. */
const HEAPS = arg("heaps", "growing,creation,not-preloaded").split(",") as Heap[];
const SCALE = Number(arg("scale", "60"));
const HOUR_MS = 3_600_000;
const OUT = arg("out", join(process.env.MODDABLE_OUT ?? tmpdir(), "shouwang-lin"));

type Heap = "growing" | "creation" | "not-preloaded";

interface Reading {
  kind: NodeKind;
  heap: Heap;
  phase: "boot" | "hour";
  meter: XsMeter;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Things that happen in a node's hour, at minutes of simulated time. */
function hourOf(kind: string, node: HostNode, command: (op: Record<string, unknown>) => Promise<void>, broker: Mosquitto): Array<[number, () => Promise<void> | void]> {
  const calibration = sensorCalibration(HOST_BOARD);
  if (kind === "sensor") {
    return [
      [10, () => node.send({ op: "waveform", name: "smoke", spec: { offsetCounts: CLEAN_AIR_COUNTS + 700, amplitudeCounts: 0, hz: 0, noiseCounts: 3, seed: 3 } })],
      [14, () => node.send({ op: "waveform", name: "smoke", spec: { offsetCounts: CLEAN_AIR_COUNTS, amplitudeCounts: 0, hz: 0, noiseCounts: 3, seed: 9 } })],
      [20, () => command({ op: "self-test" })],
      [22, () => command({ op: "config", config: { telemetryIntervalMs: 30_000 } })],
      [30, () => node.send({ op: "waveform", name: "leakage", spec: mainsCurrent(350, calibration.leakage.unitsPerCount, calibration.leakage.biasCounts) })],
      [33, () => node.send({ op: "waveform", name: "leakage", spec: mainsCurrent(5, calibration.leakage.unitsPerCount, calibration.leakage.biasCounts) })],
      [40, () => broker.restart(2000)],
      [45, () => node.send({ op: "i2c-detach", address: calibration.cableTmp117Address })],
    ];
  }
  if (kind === "elevator") {
    const ride = (minute: number): Array<[number, () => void]> => [
      [minute, () => node.send({ op: "pin", name: "ebikeDetect", value: 1 })],
      [minute + 1, () => node.send({ op: "pin", name: "ebikeDetect", value: 0 })],
    ];
    return [...ride(5), ...ride(15), [20, () => command({ op: "self-test" })], [25, () => command({ op: "disable" })], [27, () => command({ op: "enable" })], ...ride(35), [40, () => broker.restart(2000)], ...ride(50)];
  }
  return [
    [10, () => node.send({ op: "pin", name: "aedCabinetDoor", value: 1 })],
    [10.5, () => node.send({ op: "pin", name: "aedPresent", value: 1 })],
    [15, () => node.send({ op: "pin", name: "aedPresent", value: 0 })],
    [15.5, () => node.send({ op: "pin", name: "aedCabinetDoor", value: 0 })],
    [20, () => command({ op: "display", text: "AED 已被取出" })],
    [25, () => node.send({ op: "pin", name: "capsuleDoor", value: 1 })],
    [27, () => node.send({ op: "pin", name: "capsuleDoor", value: 0 })],
    [30, () => command({ op: "self-test" })],
    [40, () => broker.restart(2000)],
  ];
}

async function runKind(build: NodeBuild, kind: NodeKind, heap: Heap, broker: Mosquitto, workDir: string): Promise<Reading[]> {
  const nodeId = `bench-${kind}-${heap}`;
  const so = heap === "growing" ? build.preloaded : heap === "creation" ? build.inCreation[kind] : build.notPreloaded!;
  const node = new HostNode(build, so, join(workDir, nodeId), { kind, mqtt_host: "127.0.0.1", mqtt_port: broker.port, node: nodeId, host_serial: "a4cf12000b00", time_scale: SCALE });
  const cloud = await mqtt.connectAsync(broker.url, { clientId: `bench-cloud-${nodeId}`, reconnectPeriod: 500 });
  // What the node published, as the cloud would receive it.
  const published: Record<string, number> = {};
  const alarms: string[] = [];
  await cloud.subscribeAsync(uplinkFilters(), { qos: 1 });
  cloud.on("message", (topic, payload) => {
    const parsed = parseUplinkTopic(topic);
    if (parsed?.nodeId !== nodeId) return;
    published[parsed.channel] = (published[parsed.channel] ?? 0) + 1;
    if (parsed.channel === "alarm") {
      const alarm = JSON.parse(payload.toString()) as { kind: string; severity: string; state: string };
      alarms.push(`${alarm.kind} ${alarm.severity} ${alarm.state}`);
    }
  });
  let commands = 0;
  const command = async (body: Record<string, unknown>) => {
    commands++;
    await cloud.publishAsync(nodeTopic(nodeId, "cmd"), encodeCommand({ v: 1, type: "command", id: `c${commands}`, node: nodeId, ...body } as Parameters<typeof encodeCommand>[0]), { qos: 1 });
  };
  node.start();
  try {
    for (const line of quietEnvironment(kind)) node.send(line);
    await node.waitFor(() => node.logged(/connected as/).length > 0, `the ${kind} node to connect`, 120_000);
    const readings: Reading[] = [{ kind, heap, phase: "boot", meter: await node.meter("boot") }];
    const hourRealMs = HOUR_MS / SCALE;
    const started = Date.now();
    for (const [minute, act] of hourOf(kind, node, command, broker)) {
      const due = started + (minute * 60_000) / SCALE;
      if (due > Date.now()) await sleep(due - Date.now());
      await act();
    }
    await sleep(Math.max(0, started + hourRealMs - Date.now()));
    await node.waitFor(() => node.logged(/connected as/).length >= 2, `the ${kind} node to come back after the broker restart`, 60_000);
    readings.push({ kind, heap, phase: "hour", meter: await node.meter("hour") });
    const acks = node.logged(/^(info|warn): command c\d+/).length;
    console.log(`  ${kind} ${HEAP_NAME[heap]}: ${node.logged(/connected as/).length} connections, ${commands} commands sent, ${acks} answered, ${node.logged(/^(warn|error):/).length} warnings or errors (log: ${join(workDir, `${nodeId}.log`)})`);
    console.log(`    published: ${Object.entries(published).map(([channel, count]) => `${channel} ${count}`).join(", ")}; alarms: ${alarms.join("; ") || "none"}`);
    return readings;
  } finally {
    await node.stop();
    await cloud.endAsync();
    writeFileSync(join(workDir, `${nodeId}.log`), `${node.logs.join("\n")}\n`);
  }
}

const pct = (used: number, budget: number) => `${((100 * used) / budget).toFixed(0)} %`;

const HEAP_NAME: Record<Heap, string> = { growing: "preloaded, growing heap", creation: "preloaded, own creation", "not-preloaded": "not preloaded, growing heap" };

function report(readings: Reading[]): void {
  const rows = readings.map(({ kind, heap, phase, meter }) => {
    const slotBytes = meter.slotsPeak * meter.slotBytes;
    return {
      kind,
      preload: heap === "not-preloaded" ? "no" : "yes",
      heap: heap === "creation" ? "own" : "growing",
      phase,
      "slots live": `${meter.slots} (${((meter.slots * meter.slotBytes) / 1024).toFixed(1)} KiB)`,
      "of 4,928": pct(meter.slots, WROOM_BUDGET.slots),
      "slots peak": `${meter.slotsPeak} (${(slotBytes / 1024).toFixed(1)} KiB)`,
      "chunks live": `${(meter.chunks / 1024).toFixed(1)} KiB`,
      "of 77 KiB": pct(meter.chunks, WROOM_BUDGET.chunkBytes),
      "chunks peak": `${(meter.chunksPeak / 1024).toFixed(1)} KiB`,
      "stack peak": `${meter.stackPeak} slots`,
      "of 512": pct(meter.stackPeak, WROOM_BUDGET.stackSlots),
      keys: meter.keys,
      modules: meter.modules,
      GCs: meter.collections,
      "fits, 30 % spare": fits(meter) ? "yes" : "no",
    };
  });
  console.table(rows);
  console.log("live: held after a full collection; peak: the most in use between two collections, bounded by the heap the run had");
  console.log("heap own: the kind's creation (firmware/kinds/<kind>/manifest.json), fixed; growing: the SDK's default heap, growing as needed");
}

/** A kind's marks as scripts/firmware-creation.ts records them: the larger of boot and the hour, preloaded, growing heap. */
function marksOf(readings: Reading[], kind: NodeKind): MemoryMarks | undefined {
  const mine = readings.filter((r) => r.kind === kind && r.heap === "growing").map((r) => r.meter);
  if (!mine.length) return undefined;
  const most = (pick: (m: XsMeter) => number) => Math.max(...mine.map(pick));
  return { slotsPeak: most((m) => m.slotsPeak), chunksPeak: most((m) => m.chunksPeak), slotsLive: most((m) => m.slots), chunksLive: most((m) => m.chunks), stackPeak: most((m) => m.stackPeak), keys: most((m) => m.keys) };
}

function reportCreation(readings: Reading[]): boolean {
  let holds = true;
  console.log(`\nper kind: the high-water marks a creation is sized from (preloaded, growing heap, the larger of boot and the hour); margin ${MARGIN.heap * 100} % on heaps and keys, ${MARGIN.stack * 100} % on the stack (live and the stack as recorded also take firmware:host-run's claim run)`);
  for (const kind of KINDS) {
    const marks = marksOf(readings, kind);
    const creation = kindCreation(kind);
    const line = (c: { heap: { initial: number }; chunk: { initial: number }; stack: number; keys: { initial: number } }) => `${c.heap.initial} slots, ${c.chunk.initial} chunk bytes, stack ${c.stack}, keys ${c.keys.initial}`;
    if (marks) {
      console.log(`  ${kind}: measured ${JSON.stringify(marks)}`);
      console.log(`    sized from this run: ${line(creationFor(marks))}`);
      const recorded = MEASURED[kind];
      const within = marks.slotsPeak <= recorded.slotsPeak * (1 + MARGIN.heap) && marks.chunksPeak <= recorded.chunksPeak * (1 + MARGIN.heap) && marks.stackPeak <= recorded.stackPeak * (1 + MARGIN.stack) && marks.keys <= recorded.keys * (1 + MARGIN.keys);
      console.log(`    recorded basis (scripts/firmware-creation.ts): ${JSON.stringify(recorded)}; this run within its margin: ${within ? "yes" : "NO"}`);
      holds &&= within;
    }
    const own = readings.filter((r) => r.kind === kind && r.heap === "creation");
    const ran = own.some((r) => r.phase === "hour");
    console.log(`    its creation (firmware/kinds/${kind}/manifest.json): ${line(creation)}${own.length ? `; the hour in it: ${ran ? "held" : "did not finish"}` : ""}`);
  }
  return holds;
}

/**
 * Fits with the goal's spare: what the node holds (live, after a full collection) and the stack's
 * high-water mark leave 30 % of the WROOM budget. Garbage between collections is not counted: a
 * fixed heap collects sooner, and the preloaded runs show it keeps up (they run in the ESP32's
 * fixed creation, and a heap that could not would abort them).
 */
function fits(meter: XsMeter): boolean {
  const limit = 1 - SPARE_GOAL;
  return meter.slots <= WROOM_BUDGET.slots * limit && meter.chunks <= WROOM_BUDGET.chunkBytes * limit && meter.stackPeak <= WROOM_BUDGET.stackSlots * limit;
}

async function main(): Promise<void> {
  const sdk = findSdkOrExit("bench:memory runs the nodes on Moddable's own runtime.");
  const target = chooseTarget(process.argv.includes("--native") ? "native" : "x86-32", OUT);
  console.log(`Moddable SDK ${sdk.version} at ${sdk.root}, commit ${sdk.commit}`);
  console.log(`target: ${target.arch}${target.runner.length ? ` under ${target.runner[0]}` : ""}; an hour played at ${SCALE}× (${(HOUR_MS / SCALE / 1000).toFixed(0)} s)`);
  if (target.arch === "native") console.log("  (not 32-bit: slots are larger than the ESP32's, and chunks too; the figures overstate the device)");
  const workDir = mkdtempSync(join(tmpdir(), "sw-bench-memory-"));
  // Sessions survive the broker's restart, as on a site: the nodes' persistent sessions keep their commands.
  const broker = await startMosquitto({ extraConfig: ["persistence true", `persistence_location ${workDir}/`] });
  const readings: Reading[] = [];
  try {
    const creations = Object.fromEntries(KINDS.map((kind) => [kind, kindCreation(kind)]));
    for (const kind of KINDS) console.log(`${kind} creation (firmware/kinds/${kind}/manifest.json): ${JSON.stringify(creations[kind])}`);
    const build = buildNode(sdk, target, { outDir: OUT, withoutPreload: HEAPS.includes("not-preloaded"), creations: HEAPS.includes("creation") ? creations : {}, log: (line) => console.log(line) });
    for (const kind of KINDS) {
      for (const heap of HEAPS) readings.push(...(await runKind(build, kind, heap, broker, workDir)));
    }
  } finally {
    await broker.stop();
  }
  report(readings);
  const basisHolds = reportCreation(readings);
  const preloadedHours = readings.filter((r) => r.heap !== "not-preloaded" && r.phase === "hour");
  const allFit = preloadedHours.every((r) => fits(r.meter));
  const ownHeld = KINDS.every((kind) => !HEAPS.includes("creation") || readings.some((r) => r.kind === kind && r.heap === "creation" && r.phase === "hour"));
  console.log(`\nwith preload, every kind fits with ${SPARE_GOAL * 100} % to spare: ${allFit ? "yes" : "NO"}; every kind finished the hour in its own creation: ${HEAPS.includes("creation") ? (ownHeld ? "yes" : "NO") : "not run"}`);
  if (!allFit || !ownHeld || !basisHolds) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
