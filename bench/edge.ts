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
const TARGETS = ["smoke", "heat", "overcurrent", "leakage", "charging", "cable"] as const;
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

// One node second: 1 smoke + 1 NTC + 2 TMP117 readings (ambient, cable probe) and one take of
// background sums on each of the CT and leakage channels, through six detectors.
const TICKS = 5_000;
const TICK_SLICE = 1_000;
async function ticks(impl: "lean" | "naive" | "clock" | "io" | "meter" | "takes", count: number): Promise<number> {
  let compute = 0;
  for (let done = 0; done < count; done += TICK_SLICE) compute += (await call({ op: "pipeline", impl, count: Math.min(TICK_SLICE, count - done) })).meter.compute;
  return compute;
}
await ticks("lean", 1_000);
await ticks("naive", 1_000);
const leanTick = ((await ticks("lean", TICKS)) - (await ticks("clock", TICKS))) / TICKS;
const naiveTick = (await ticks("naive", TICKS)) / TICKS;
const ioTick = (await ticks("io", TICKS)) / TICKS;
// The CT and leakage sampling as JavaScript sees it now: two takes of background sums and the RMS.
const meterTick = (await ticks("meter", TICKS)) / TICKS;
const takesTick = (await ticks("takes", TICKS)) / TICKS;
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
    "10,000 node-seconds",
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
const core = (units: number, slowdown: number) => (units / (hostRate / slowdown)) * 100;
// The native sampler's own work, estimated (nothing here ran on an ESP32): per conversion, ESP-IDF's
// adc_continuous_parse_data and the task's table lookup and sums, 40–100 cycles; per DMA frame, the
// task's wake-up and adc_continuous_read, about 3,000 cycles.
const native = (conversions: number, frames: number) => [conversions * 40 + frames * 3000, conversions * 100 + frames * 3000].map((cycles) => (cycles / 240e6) * 100);
const esp32 = native(20_000, 160);
const s3 = native(4_000, 63);
console.log(`
XS compute units are counted per bytecode-level operation; they are not CPU cycles.
This host ran xsnap at ≈${fmt(hostRate / 1e6)}M compute units/s (a lean detector crank, wall clock).
A node's sensing costs ≈${fmt(perSecond)} compute units per second in its own code (all groups at 1 Hz),
plus ${fmt(ioTick)} for its IO calls (smoke and NTC reads, two TMP117 transactions, two takes of background sums), which on a device are native calls.
Assuming XS on a 240 MHz ESP32 runs 30–60× fewer units per second than this host (see firmware/README.md),
that is ${fmt(core(perSecond, 30), 2)}–${fmt(core(perSecond, 60), 2)} % of one core for the node's own code, at most ${fmt(core(leanTick, 30), 2)}–${fmt(core(leanTick, 60), 2)} % counting the IO calls as if they were JavaScript.

CT and leakage sampling, per second:
| sampling                                   | JavaScript, compute units | CPU of one 240 MHz core                   |
|--------------------------------------------|---------------------------|-------------------------------------------|
| before: 2-cycle burst, spin-waited          | (128 reads, 64 waits)     | 4 % (40 ms held every second)             |
| now: background (continuous ADC, DMA)       | ${fmt(meterTick).padStart(25)} | ${`JS ${fmt(core(meterTick, 30), 3)}–${fmt(core(meterTick, 60), 3)} %, native ${fmt(esp32[0], 2)}–${fmt(esp32[1], 2)} % (S3 ${fmt(s3[0], 2)}–${fmt(s3[1], 2)} %)`.padEnd(41)} |
The JavaScript figure is measured (of it, ${fmt(takesTick)} units are the two replayed takes, native FFI calls on a device); the native
figure is an estimate: 20,000 conversions/s on the ESP32 (its lowest continuous rate), 4,000 on the S3, at 40–100 cycles each
plus ~3,000 per DMA frame. The burst's 40 ms are gone from the JavaScript thread either way.`);