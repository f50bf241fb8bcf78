import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { bundleForXs } from "../firmware/platform/sim/host/bundle";
import { XsWorker, type XsMeter } from "../firmware/platform/sim/host/xs-worker";

/**
 * npm run bench:edge — the edge detectors' cost inside the real XS engine (xsnap-worker), next to
 * a naive idiomatic implementation of the same decisions (bench/naive), side by side in one run.
 *
 * - compute per sample: XS's deterministic compute meter for a crank of samples, minus the same
 *   loop without the detector, divided by the samples;
 * - live heap: slots alive after gc(), after warm-up and again after 1,000,000 more samples;
 * - pipeline: one node second (smoke, NTC, TMP117, CT and leakage bursts, five detectors) on
 *   replayed ADC and I2C inputs, minus what the virtual clock's timers cost;
 * - decisions: both implementations must raise and clear the same events on the same samples.
 */
const CHUNK = 100_000;
const SLICE = 20_000;
/** Samples between the two live-heap readings; BENCH_QUICK=1 shortens it while iterating on the code. */
const HEAP_SAMPLES = process.env.BENCH_QUICK ? 100_000 : 1_000_000;
const TARGETS = ["smoke", "heat", "overcurrent", "leakage", "charging"] as const;
type Target = (typeof TARGETS)[number];

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const worker = new XsWorker({ name: "bench-edge", meteringLimit: 2_000_000_000, onPrint: (line) => console.log(`[xs] ${line}`) });
await worker.evaluate(await bundleForXs(fileURLToPath(new URL("./xs/edge.ts", import.meta.url))));

async function call<T = any>(request: object): Promise<{ value: T; meter: XsMeter; ms: number }> {
  const started = performance.now();
  const { bytes, meter } = await worker.command(encoder.encode(JSON.stringify(request)));
  const ms = performance.now() - started;
  const value = JSON.parse(decoder.decode(bytes)) as T & { thrown?: string };
  if (value && typeof value === "object" && "thrown" in value && value.thrown) throw new Error(value.thrown);
  return { value, meter, ms };
}

async function liveHeap(): Promise<number> {
  return (await call({ op: "gc" })).meter.currentHeapCount;
}

/** Plays `count` samples in cranks of at most SLICE (xsnap's per-crank meter is 32-bit); total compute and wall time. */
async function play(target: Target, impl: "lean" | "naive" | "loop", count: number, record = false): Promise<{ compute: number; ms: number }> {
  let compute = 0;
  let ms = 0;
  for (let done = 0; done < count; done += SLICE) {
    const step = await call({ op: "run", target, impl, count: Math.min(SLICE, count - done), record });
    compute += step.meter.compute;
    ms += step.ms;
  }
  return { compute, ms };
}

async function perSample(target: Target, impl: "lean" | "naive", count: number): Promise<number> {
  await call({ op: "reset", target });
  await play(target, impl, 10_000);
  const measured = await play(target, impl, count);
  const loop = await play(target, "loop", count);
  return (measured.compute - loop.compute) / count;
}

async function heapGrowth(target: Target, impl: "lean" | "naive", samples: number): Promise<number> {
  await call({ op: "reset", target });
  await play(target, impl, CHUNK);
  const before = await liveHeap();
  await play(target, impl, samples);
  return (await liveHeap()) - before;
}

/** Heap slots a crank of `count` samples leaves behind before any collection: the garbage it makes. */
async function garbagePerSample(target: Target, impl: "lean" | "naive", count: number): Promise<number | null> {
  await call({ op: "reset", target });
  await call({ op: "run", target, impl, count: 10_000 });
  // The same crank with no samples: what the request and reply themselves leave on the heap.
  let before = await liveHeap();
  const overhead = (await call({ op: "run", target, impl, count: 0 })).meter.currentHeapCount - before;
  before = await liveHeap();
  const after = (await call({ op: "run", target, impl, count })).meter.currentHeapCount;
  // A collection during the crank would hide the garbage: then there is no figure.
  return after < before ? null : (after - before - overhead) / count;
}

async function decisionsMatch(target: Target): Promise<{ match: boolean; lean: number; naive: number }> {
  await call({ op: "reset", target });
  await play(target, "lean", CHUNK, true);
  await play(target, "naive", CHUNK, true);
  const { value } = await call<{ lean: Record<Target, unknown[]>; naive: Record<Target, unknown[]> }>({ op: "events" });
  return { match: JSON.stringify(value.lean[target]) === JSON.stringify(value.naive[target]), lean: value.lean[target].length, naive: value.naive[target].length };
}

// One crank per input: xsnap's per-crank meter is a 32-bit count.
for (const target of TARGETS) while (!(await call<{ done: boolean }>({ op: "prepare", target, count: 10_000 })).value.done);
await call({ op: "prepare-pipeline" });
console.log(`Synthesized ${CHUNK.toLocaleString()} samples per detector (1 Hz) inside XS; measuring…\n`);

interface Row {
  name: string;
  lean: number;
  naive: number;
  leanHeap: number;
  naiveHeap: number;
  leanGarbage: number | null;
  naiveGarbage: number | null;
  decisions: string;
}
const rows: Row[] = [];
let hostRate = 0;
for (const target of TARGETS) {
  const decided = await decisionsMatch(target);
  const lean = await perSample(target, "lean", CHUNK);
  const naive = await perSample(target, "naive", CHUNK);
  const timed = await play(target, "lean", CHUNK);
  hostRate = Math.max(hostRate, timed.compute / (timed.ms / 1000));
  rows.push({
    name: target,
    lean,
    naive,
    leanHeap: await heapGrowth(target, "lean", HEAP_SAMPLES),
    naiveHeap: await heapGrowth(target, "naive", HEAP_SAMPLES),
    leanGarbage: await garbagePerSample(target, "lean", 1_000),
    naiveGarbage: await garbagePerSample(target, "naive", 1_000),
    decisions: decided.match ? `same (${decided.lean} events)` : `DIFFER (${decided.lean} vs ${decided.naive})`,
  });
}

// One node second: 1 smoke + 1 NTC + 1 TMP117 reading, and a 2-cycle burst of 64 samples on each
// of the CT and leakage channels (131 raw samples), through five detectors.
const TICKS = 5_000;
const TICK_SLICE = 1_000;
async function ticks(impl: "lean" | "naive" | "clock" | "io", count: number): Promise<number> {
  let compute = 0;
  for (let done = 0; done < count; done += TICK_SLICE) compute += (await call({ op: "pipeline", impl, count: Math.min(TICK_SLICE, count - done) })).meter.compute;
  return compute;
}
await ticks("lean", 1_000);
await ticks("naive", 1_000);
const leanTick = ((await ticks("lean", TICKS)) - (await ticks("clock", TICKS))) / TICKS;
const naiveTick = (await ticks("naive", TICKS)) / TICKS;
const ioTick = (await ticks("io", TICKS)) / TICKS;
const pipelineHeapBefore = await liveHeap();
await ticks("lean", 10_000);
const leanPipelineHeap = (await liveHeap()) - pipelineHeapBefore;
const naiveHeapBefore = await liveHeap();
await ticks("naive", 10_000);
const naivePipelineHeap = (await liveHeap()) - naiveHeapBefore;
await worker.close();

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const garbage = (n: number | null) => (n === null ? "(collected)" : fmt(n, 2));
const table = [
  ["", "compute/sample", "", "", "live-heap growth, 1M samples", "", "garbage slots/sample", "", "decisions"],
  ["detector", "lean", "naive", "ratio", "lean", "naive", "lean", "naive", "lean vs naive"],
  ...rows.map((r) => [r.name, fmt(r.lean), fmt(r.naive), `${fmt(r.naive / r.lean, 1)}×`, fmt(r.leanHeap), fmt(r.naiveHeap), garbage(r.leanGarbage), garbage(r.naiveGarbage), r.decisions]),
  [
    "node second, all",
    fmt(leanTick),
    fmt(naiveTick),
    `${fmt(naiveTick / leanTick, 1)}×`,
    fmt(leanPipelineHeap),
    fmt(naivePipelineHeap),
    "",
    "",
    "10,000 node-seconds ≈ 1.31M raw samples",
  ],
  ["node second, minus IO", fmt(leanTick - ioTick), fmt(naiveTick - ioTick), `${fmt((naiveTick - ioTick) / (leanTick - ioTick), 1)}×`, "", "", "", "", `IO calls alone: ${fmt(ioTick)} per node second`],
];
const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
const line = (row: string[]) => `| ${row.map((cell, c) => (c === 0 || c === row.length - 1 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join(" | ")} |`;
console.log(line(table[0]));
console.log(line(table[1]));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const row of table.slice(2)) console.log(line(row));

const perSecond = leanTick - ioTick;
console.log(`
XS compute units are counted per bytecode-level operation; they are not CPU cycles.
This host ran xsnap at ≈${fmt(hostRate / 1e6)}M compute units/s (a lean detector crank, wall clock).
A node's sensing costs ≈${fmt(perSecond)} compute units per second in its own code (all groups at 1 Hz),
plus ${fmt(ioTick)} for the 132 ADC/I2C calls and 64 burst waits, which on a device are native calls.
Assuming XS on a 240 MHz ESP32 runs 30–60× fewer units per second than this host (see firmware/README.md),
that is ${fmt((perSecond / (hostRate / 30)) * 100, 2)}–${fmt((perSecond / (hostRate / 60)) * 100, 2)} % of one core for the node's own code, at most ${fmt((leanTick / (hostRate / 30)) * 100, 2)}–${fmt((leanTick / (hostRate / 60)) * 100, 2)} %
counting the IO calls as if they were JavaScript, plus the 40 ms a second the CT and leakage burst holds the CPU (4 %).`);
