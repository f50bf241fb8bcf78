import { afterAll, describe, expect, it } from "vitest";
import { bundleForXs } from "../../firmware/platform/sim/host/bundle";
import { MqttBridge, type MqttBridgeEvent } from "../../firmware/platform/sim/host/mqtt-bridge";
import { XsWorker } from "../../firmware/platform/sim/host/xs-worker";
import type { MqttConnectOptions } from "../../firmware/ports/mqtt";
import { startMosquitto, type Mosquitto } from "../support/mosquitto";
import { waitFor } from "../support/wait";

const NODES = 200;
const BUCKET_MS = 250;

type Issue =
  | { op: "connect"; link: number; options: MqttConnectOptions; at: number }
  | { op: "publish"; link: number; topic: string; payload: string; qos: 0 | 1; retain: boolean; packetId: number }
  | { op: "subscribe"; link: number; filter: string }
  | { op: "close"; link: number };

/**
 * 200 nodes lose the broker at the same instant and come back. Their link layers (the firmware's
 * session, backoff and uplink) run in one XS machine (tests/firmware/xs/fleet.ts) on a clock that
 * follows real time, each bridged to its own real connection to Mosquitto; the host notes the time
 * of every connection attempt. Full jitter must spread the attempts over time.
 */
describe("200 nodes reconnecting after a broker restart", () => {
  let broker: Mosquitto;
  let worker: XsWorker | undefined;
  let ticker: NodeJS.Timeout | undefined;
  const bridges: MqttBridge[] = [];

  afterAll(async () => {
    clearInterval(ticker);
    for (const bridge of bridges) bridge.close();
    await worker?.close();
    await broker?.stop();
  });

  it("spreads their connection attempts over time", async () => {
    broker = await startMosquitto();
    const encoder = new TextEncoder();
    const decoder = new TextDecoder();
    const attempts: number[] = [];
    const firstAttempt = new Map<number, number>();
    // The same attempts on the nodes' own clock: when their backoff issued them. A loaded host
    // carries a burst of them out late and together; the schedule itself is the firmware's.
    const scheduled: number[] = [];
    const firstScheduled = new Map<number, number>();
    const connectedAt: number[] = [];
    let live: XsWorker;
    const command = async (request: unknown) => JSON.parse(decoder.decode((await live.command(encoder.encode(JSON.stringify(request)))).bytes));
    const notify = (link: number, event: MqttBridgeEvent) => {
      if (event.event === "connected") connectedAt.push(performance.now());
      void command({ op: "mqtt", link, ...event }).catch(() => undefined);
    };
    for (let link = 0; link < NODES; link++) {
      bridges.push(
        new MqttBridge({
          brokerUrl: broker.url,
          protocolVersion: 4,
          notify: (event) => notify(link, event),
          onAttempt: (at) => {
            attempts.push(at);
            if (!firstAttempt.has(link)) firstAttempt.set(link, at);
          },
        }),
      );
    }
    live = worker = new XsWorker({
      name: "fleet",
      onIssue: (bytes) => {
        const request = JSON.parse(decoder.decode(bytes)) as Issue;
        const bridge = bridges[request.link];
        if (request.op === "connect") {
          scheduled.push(request.at);
          if (!firstScheduled.has(request.link)) firstScheduled.set(request.link, request.at);
          bridge.connect(request.options);
        } else if (request.op === "publish") bridge.publish(request.topic, request.payload, request.qos, request.retain, request.packetId);
        else if (request.op === "subscribe") bridge.subscribe(request.filter);
        else bridge.close();
        return encoder.encode("null");
      },
    });
    await worker.evaluate(await bundleForXs(decodeURIComponent(new URL("../firmware/xs/fleet.ts", import.meta.url).pathname)));

    // The nodes' clock follows the host's, so backoff delays are real milliseconds against the real broker.
    let last = performance.now();
    ticker = setInterval(() => {
      const now = performance.now();
      const elapsed = Math.floor(now - last);
      last += elapsed;
      if (elapsed > 0) void command({ op: "advance", ms: elapsed }).catch(() => undefined);
    }, 10);

    await command({ op: "boot", count: NODES, seed: 20_251_125, bootSpreadMs: 1000 });
    await waitFor(async () => (await command({ op: "inspect" })).connected === NODES, "all 200 nodes to connect", 15_000, 50);

    attempts.length = 0;
    connectedAt.length = 0;
    firstAttempt.clear();
    scheduled.length = 0;
    firstScheduled.clear();
    const droppedOnNodes = (await command({ op: "inspect" })).now as number;
    const droppedAt = performance.now();
    await broker.restart(1500); // down for 1.5 s
    const backAt = performance.now();
    await waitFor(async () => (await command({ op: "inspect" })).connected === NODES, "all 200 nodes to reconnect", 30_000, 50);

    const buckets = new Map<number, { attempts: number; connected: number }>();
    const bucket = (at: number) => {
      const key = Math.floor((at - droppedAt) / BUCKET_MS);
      if (!buckets.has(key)) buckets.set(key, { attempts: 0, connected: 0 });
      return buckets.get(key)!;
    };
    for (const at of attempts) bucket(at).attempts++;
    for (const at of connectedAt) bucket(at).connected++;
    const keys = [...buckets.keys()].sort((a, b) => a - b);
    const rows = keys.map((key) => {
      const { attempts: a, connected: c } = buckets.get(key)!;
      return `  ${String(key * BUCKET_MS).padStart(6)}–${String((key + 1) * BUCKET_MS).padEnd(6)} ms  attempts ${String(a).padStart(3)} ${"#".repeat(Math.ceil(a / 2)).padEnd(50)} connected ${c}`;
    });
    const firstRetries = [...firstAttempt.values()].map((at) => at - droppedAt).sort((a, b) => a - b);
    const busiest = Math.max(...keys.map((key) => buckets.get(key)!.attempts));
    const perWindow = new Map<number, number>();
    for (const at of scheduled) {
      const key = Math.floor((at - droppedOnNodes) / BUCKET_MS);
      perWindow.set(key, (perWindow.get(key) ?? 0) + 1);
    }
    const busiestScheduled = Math.max(...perWindow.values());
    const firstScheduledRetries = [...firstScheduled.values()].map((at) => at - droppedOnNodes).sort((a, b) => a - b);
    const lastConnected = Math.max(...connectedAt) - droppedAt;
    console.log(
      [
        `reconnect storm: ${NODES} nodes, broker down ${Math.round(backAt - droppedAt)} ms; ${attempts.length} attempts, ` +
          `busiest ${BUCKET_MS} ms window ${busiest} attempts (${busiestScheduled} on the nodes' clock); first retries from ${Math.round(firstRetries[0])} to ${Math.round(firstRetries.at(-1)!)} ms; ` +
          `all back ${Math.round(lastConnected)} ms after the drop`,
        ...rows,
      ].join("\n"),
    );

    const inspection = await command({ op: "inspect" });
    expect(inspection.connected).toBe(NODES);
    // Without jitter all 200 would retry in the same instant, and again at each doubling. With
    // full jitter the first retries are uniform over their first second (about 55 per 250 ms),
    // and the second retries of those that failed overlap them. Counted on the nodes' clock: on
    // the host's, a loaded machine (a storm bench just before) bunched 98 into one window.
    expect(busiestScheduled).toBeLessThan(NODES * 0.45);
    // Each node's first retry: uniform over 100–1000 ms, so the middle 80 % spans about 720 ms.
    expect(firstScheduledRetries).toHaveLength(NODES);
    expect(firstScheduledRetries[Math.floor(NODES * 0.9)] - firstScheduledRetries[Math.floor(NODES * 0.1)]).toBeGreaterThan(500);
    // And the host carried them out spread too, if less evenly than they were issued.
    expect(firstRetries[Math.floor(NODES * 0.9)] - firstRetries[Math.floor(NODES * 0.1)]).toBeGreaterThan(300);
    // Attempts while the broker was down were few per node: backoff, not a hammering.
    expect(attempts.length).toBeLessThan(NODES * 4);
  });
});
