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
 * restarting) and it is read again. With preload the node runs inside the creation sizes the
 * ESP32 build sets (firmware/platform/esp32/manifest.json, fixed: no growing), so finishing the
 * hour shows they hold; the same build linked without the firmware's preloads runs on the SDK's
 * default, growing heap, for the comparison.
 *
 * The budget is what the SDK itself gives XS on every ESP32 (WROOM, no PSRAM) board target
 * (build/devices/esp32/targets/<board>/manifest.json `creation`): 78,848 bytes of chunks,
 * 4,928 slots of 16 bytes, a stack of 512 slots. Goal: 30 % of each to spare.
 *
 *   MODDABLE=~/moddable npm run bench:memory [-- --kinds sensor,elevator,capsule --scale 60 --native]
 */
import mqtt from "mqtt";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeCommand } from "../shared/codec";
import { nodeTopic, parseUplinkTopic, uplinkFilters } from "../shared/topics";
import { CLEAN_AIR_COUNTS, mainsCurrent, quietEnvironment } from "../scripts/lin-host/environment";
import { HostNode, type XsMeter } from "../scripts/lin-host/host-node";
import { buildNode, chooseTarget, esp32Creation, findSdk, SdkMissing, type NodeBuild } from "../scripts/lin-host/sdk";
import { HOST_BOARD } from "../hardware/generate";
import { sensorCalibration } from "../hardware/calibration";
import { startMosquitto, type Mosquitto } from "../tests/support/mosquitto";

const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
};
const KINDS = arg("kinds", "sensor,elevator,capsule").split(",");
const SCALE = Number(arg("scale", "60"));
const HOUR_MS = 3_600_000;
const OUT = arg("out", join(process.env.MODDABLE_OUT ?? tmpdir(), "shouwang-lin"));

/** What the SDK gives XS on every ESP32-WROOM board target (build/devices/esp32/targets/*). */
export const WROOM_BUDGET = { chunkBytes: 78_848, slots: 4_928, stackSlots: 512 };
const SPARE_GOAL = 0.3;
const ESP32_CREATION = esp32Creation();

interface Reading {
  kind: string;
  preloaded: boolean;
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

async function runKind(build: NodeBuild, kind: string, preloaded: boolean, broker: Mosquitto, workDir: string): Promise<Reading[]> {
  const nodeId = `bench-${kind}-${preloaded ? "pre" : "nopre"}`;
  const node = new HostNode(build, preloaded ? build.preloaded : build.notPreloaded!, join(workDir, nodeId), { kind, mqtt_host: "127.0.0.1", mqtt_port: broker.port, node: nodeId, host_serial: "a4cf12000b00", time_scale: SCALE });
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
    const readings: Reading[] = [{ kind, preloaded, phase: "boot", meter: await node.meter("boot") }];
    const hourRealMs = HOUR_MS / SCALE;
    const started = Date.now();
    for (const [minute, act] of hourOf(kind, node, command, broker)) {
      const due = started + (minute * 60_000) / SCALE;
      if (due > Date.now()) await sleep(due - Date.now());
      await act();
    }
    await sleep(Math.max(0, started + hourRealMs - Date.now()));
    await node.waitFor(() => node.logged(/connected as/).length >= 2, `the ${kind} node to come back after the broker restart`, 60_000);
    readings.push({ kind, preloaded, phase: "hour", meter: await node.meter("hour") });
    const acks = node.logged(/^(info|warn): command c\d+/).length;
    console.log(`  ${kind} ${preloaded ? "preloaded" : "not preloaded"}: ${node.logged(/connected as/).length} connections, ${commands} commands sent, ${acks} answered, ${node.logged(/^(warn|error):/).length} warnings or errors (log: ${join(workDir, `${nodeId}.log`)})`);
    console.log(`    published: ${Object.entries(published).map(([channel, count]) => `${channel} ${count}`).join(", ")}; alarms: ${alarms.join("; ") || "none"}`);
    return readings;
  } finally {
    await node.stop();
    await cloud.endAsync();
    writeFileSync(join(workDir, `${nodeId}.log`), `${node.logs.join("\n")}\n`);
  }
}

const pct = (used: number, budget: number) => `${((100 * used) / budget).toFixed(0)} %`;

function report(readings: Reading[]): void {
  const rows = readings.map(({ kind, preloaded, phase, meter }) => {
    const slotBytes = meter.slotsPeak * meter.slotBytes;
    return {
      kind,
      preload: preloaded ? "yes" : "no",
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
  console.log(`preload yes: inside the ESP32 creation; preload no: the SDK's default heap, growing as needed`);
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
  let sdk;
  try {
    sdk = findSdk();
  } catch (error) {
    if (error instanceof SdkMissing) {
      console.error(`bench:memory runs the nodes on Moddable's own runtime.\n\n${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const target = chooseTarget(process.argv.includes("--native") ? "native" : "x86-32", OUT);
  console.log(`Moddable SDK ${sdk.version} at ${sdk.root}, commit ${sdk.commit}`);
  console.log(`target: ${target.arch}${target.runner.length ? ` under ${target.runner[0]}` : ""}; an hour played at ${SCALE}× (${(HOUR_MS / SCALE / 1000).toFixed(0)} s)`);
  if (target.arch === "native") console.log("  (not 32-bit: slots are larger than the ESP32's, and chunks too; the figures overstate the device)");
  const workDir = mkdtempSync(join(tmpdir(), "sw-bench-memory-"));
  // Sessions survive the broker's restart, as on a site: the nodes' persistent sessions keep their commands.
  const broker = await startMosquitto({ extraConfig: ["persistence true", `persistence_location ${workDir}/`] });
  const readings: Reading[] = [];
  try {
    console.log(`ESP32 creation (firmware/platform/esp32/manifest.json): ${JSON.stringify(ESP32_CREATION)}`);
    const build = buildNode(sdk, target, { outDir: OUT, withoutPreload: true, creation: ESP32_CREATION, log: (line) => console.log(line) });
    for (const kind of KINDS) {
      for (const preloaded of [true, false]) readings.push(...(await runKind(build, kind, preloaded, broker, workDir)));
    }
  } finally {
    await broker.stop();
  }
  report(readings);
  const preloadedHours = readings.filter((r) => r.preloaded && r.phase === "hour");
  const allFit = preloadedHours.every((r) => fits(r.meter));
  console.log(`\nwith preload, every kind fits with ${SPARE_GOAL * 100} % to spare: ${allFit ? "yes" : "NO"}`);
  const most = (pick: (m: XsMeter) => number) => Math.max(...readings.filter((r) => r.preloaded).map((r) => pick(r.meter)));
  console.log(`largest with preload: ${most((m) => m.slots)} slots live (${most((m) => m.slotsPeak)} at peak), ${most((m) => m.chunks)} chunk bytes live (${most((m) => m.chunksPeak)} at peak), stack ${most((m) => m.stackPeak)} slots, ${most((m) => m.keys)} keys`);
  if (!allFit) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
