/**
 * `npm run bench:elevator`: what one tick of the elevator lock and the capsule node costs inside
 * the real XS engine, next to a smoke node's sample in the same run.
 *
 * Each node runs two windows of virtual time (10 s and 70 s) from a freshly collected heap; the
 * difference between them divides out the harness's own cost per step, leaving the cost per timer
 * callback: XS compute units (deterministic: the same code gives the same count on any machine)
 * and heap slots allocated. A per-tick path that allocates nothing shows 0 slots per callback.
 */
import { SimNode } from "../firmware/platform/sim/host/sim-node";
import { dividerCounts, ntcCounts } from "../firmware/platform/sim/host/analog-physics";
import { startMosquitto } from "../tests/support/mosquitto";
import { capsuleNodeConfig, elevatorNodeConfig, smokeNodeConfig } from "../tests/support/sim-config";

/** The link's heartbeat builds a message (it allocates, once a minute by default): kept out of the measured windows. */
const HEARTBEAT_OUT_OF_WINDOW_MS = 3_600_000;

interface Window {
  callbacks: number;
  compute: number;
  slots: number;
}

async function window(node: SimNode, ms: number, callbacks: number): Promise<Window> {
  await node.worker.evaluate("gc()");
  const before = await node.inspect().then(() => node.advance(0));
  const after = await node.advance(ms);
  return { callbacks, compute: after.meter.compute, slots: after.meter.currentHeapCount - before.meter.currentHeapCount };
}

/** Per-callback cost from a short and a long window: (long − short) / (callbacks difference). */
async function measure(node: SimNode, callbacksPerSecond: number) {
  const short = await window(node, 10_000, 10 * callbacksPerSecond);
  const long = await window(node, 70_000, 70 * callbacksPerSecond);
  const n = long.callbacks - short.callbacks;
  return {
    computePerCallback: (long.compute - short.compute) / n,
    slotsPerCallback: (long.slots - short.slots) / n,
  };
}

async function main(): Promise<void> {
  const broker = await startMosquitto();
  const quiet = () => {};
  const rows: Array<[string, string, number, Awaited<ReturnType<typeof measure>>]> = [];
  try {
    const smoke = await SimNode.boot({ brokerUrl: broker.url, protocolVersion: 5, config: smokeNodeConfig("bench-smoke-01", { telemetryIntervalMs: 0, healthIntervalMs: HEARTBEAT_OUT_OF_WINDOW_MS }), levels: { smoke: 300 }, onLog: quiet });
    await smoke.advance(5000);
    rows.push(["smoke", "clean air, 1 Hz", 1, await measure(smoke, 1)]);
    await smoke.stop();

    const lift = await SimNode.boot({ kind: "elevator", brokerUrl: broker.url, protocolVersion: 5, config: elevatorNodeConfig("bench-lift-01", { maxHoldMs: 600_000, healthIntervalMs: HEARTBEAT_OUT_OF_WINDOW_MS }), levels: { ebikeDetect: 0, maintenanceKey: 0 }, onLog: quiet });
    // The detector's heartbeat is a simulated peripheral on the same virtual clock: 2 extra callbacks per second.
    await lift.setPulses({ detectorAlive: 500 });
    await lift.advance(5000);
    rows.push(["elevator", "armed, car clear (20 Hz tick)", 22, await measure(lift, 22)]);
    await lift.setPins({ ebikeDetect: 1 });
    await lift.advance(2000);
    rows.push(["elevator", "holding: relay pulsed, prompt every 8 s", 22, await measure(lift, 22)]);
    await lift.setPins({ ebikeDetect: 0 });
    await lift.advance(5000);
    const liftHourStart = performance.now();
    await lift.advance(3_600_000);
    const liftHourMs = performance.now() - liftHourStart;
    await lift.stop();

    const defaults = capsuleNodeConfig("bench-capsule-01", { healthIntervalMs: HEARTBEAT_OUT_OF_WINDOW_MS });
    const capsule = await SimNode.boot({
      kind: "capsule",
      brokerUrl: broker.url,
      protocolVersion: 5,
      config: defaults,
      levels: { capsuleDoor: 0, aedCabinetDoor: 0, aedPresent: 0, cabinetNtc: ntcCounts(22, defaults.ntc), supplyVoltage: dividerCounts(13.2, defaults.supply.ratio) },
      onLog: quiet,
    });
    await capsule.advance(5000);
    rows.push(["capsule", "doors shut (10 Hz tick, ADC every 10 s)", 10.1, await measure(capsule, 10.1)]);

    const hourStart = performance.now();
    await capsule.advance(3_600_000);
    const capsuleHourMs = performance.now() - hourStart;
    await capsule.stop();

    const baseline = rows[0][3].computePerCallback;
    const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
    console.log(line(["node", "phase", "callbacks/s", "XS compute/callback", "× smoke sample", "heap slots/callback"]));
    console.log(line(["---", "---", "---:", "---:", "---:", "---:"]));
    for (const [kind, phase, perSecond, m] of rows) {
      console.log(line([kind, phase, String(perSecond), m.computePerCallback.toFixed(0), (m.computePerCallback / baseline).toFixed(2), m.slotsPerCallback.toFixed(2)]));
    }
    console.log("\n(elevator callbacks include the simulated detector's heartbeat, 2/s; capsule's the 0.1/s ADC sample;");
    console.log(" the link's health heartbeat is set to 1 h so the windows hold the per-tick paths only)");
    console.log(`one simulated hour, host time: elevator ${liftHourMs.toFixed(0)} ms (72,000 ticks), capsule ${capsuleHourMs.toFixed(0)} ms (36,000 ticks + 360 samples)`);
  } finally {
    await broker.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
