/**
 * npm run bench:ota
 *
 * 1. A campaign over 1,000 simulated nodes: the real campaign engine on a real libSQL file, a
 *    virtual clock, and the nodes as small state machines in this process (not XS machines:
 *    a thousand xsnap workers would not fit two cores; the node's own logic in XS is what
 *    tests/firmware/ota-node.test.ts exercises). Offers and reports go straight between engine
 *    and nodes instead of through MQTT. A good image (0.2.0) rolls out in four stages; then a
 *    bad one (0.3.0, which 40% of nodes cannot keep) is rolled out and must pause itself.
 * 2. The XS compute count of one Ed25519 signature verification, measured through the XS
 *    harness meter, with what that suggests for an ESP32.
 */
import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../cloud/db/client";
import { memoryLogger } from "../cloud/log";
import { CampaignEngine, type CampaignSummary, type OfferChannel } from "../cloud/ota/campaign-engine";
import { ImageStore } from "../cloud/ota/image-store";
import { generateReleaseKey, loadPrivateKey, signRelease } from "../cloud/ota/release-key";
import { bundleForXs } from "../firmware/platform/sim/host/bundle";
import { XsWorker } from "../firmware/platform/sim/host/xs-worker";
import { releaseStatementText, type OtaOffer, type OtaReport, type OtaState } from "../shared/ota";
import { buildSimImage } from "../shared/sim-image";

const NODES = 1000;
const IMAGE_BYTES = 1_500_000;
const RATE_BYTES_PER_S = 16 * 1024;
const TICK_MS = 30_000;
const SECOND = 1000;
const MINUTE = 60 * SECOND;

// ─── a deterministic world ──────────────────────────────────────────────────────────────────
let seed = 20261125;
function random(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
}
const between = (low: number, high: number) => low + random() * (high - low);

class Events {
  #queue: Array<{ at: number; run: () => Promise<void> | void }> = [];
  now = Date.UTC(2026, 10, 25, 2, 0, 0);
  at(at: number, run: () => Promise<void> | void): void {
    this.#queue.push({ at, run });
  }
  /** Runs events and engine ticks in time order until `done()` or `limitMs` of virtual time. */
  async run(tick: () => Promise<void>, done: () => Promise<boolean>, limitMs: number): Promise<void> {
    const end = this.now + limitMs;
    let nextTick = this.now + TICK_MS;
    while (this.now < end) {
      this.#queue.sort((a, b) => a.at - b.at);
      const next = this.#queue[0];
      if (next && next.at <= nextTick) {
        this.#queue.shift();
        this.now = Math.max(this.now, next.at);
        await next.run();
        continue;
      }
      this.now = nextTick;
      nextTick += TICK_MS;
      await tick();
      if (await done()) return;
    }
  }
}

// ─── simulated nodes (in-process state machines) ────────────────────────────────────────────
interface Behaviour {
  /** Not reachable when first offered: answers only a later offer. */
  offline: boolean;
  /** An alarm or a held lock keeps it deferred for this long. */
  busyMs: number;
  /** The download fails (a flash write error) with this chance. */
  downloadFails: boolean;
  /** The new image is broken on this node: it rolls back after its health window. */
  cannotKeep: boolean;
}

class SimulatedNode {
  running = "0.1.0";
  boot = 1;
  busyUntil = 0;
  #working: string | null = null;
  #offersSeen = 0;
  constructor(
    readonly id: string,
    readonly behaviour: (version: string) => Behaviour,
    readonly events: Events,
    readonly onReport: (report: OtaReport) => Promise<void>,
  ) {}

  #report(campaign: string | null, state: OtaState, version: string | null, extra: Partial<OtaReport> = {}): Promise<void> {
    return this.onReport({ v: 1, node: this.id, boot: this.boot, t: this.events.now - 1, campaign, state, version, running: this.running, board: "esp32-devkitc", kind: "sensor", ...extra });
  }

  announce(): Promise<void> {
    return this.#report(null, "idle", null);
  }

  offer(offer: OtaOffer): void {
    const version = offer.release.version;
    const behaviour = this.behaviour(version);
    this.#offersSeen++;
    if (behaviour.offline && this.#offersSeen === 1) return;
    if (this.running === version) return void this.events.at(this.events.now + 200, () => this.#report(offer.campaign, "healthy", version));
    if (this.#working === offer.campaign) return;
    this.#working = offer.campaign;
    const t = this.events.now + between(100, 800);
    this.events.at(t, () => this.#report(offer.campaign, "offered", version));
    let start = t + between(300, 600); // signature check, ~0.3–0.6 s on an ESP32 (see part 2)
    if (behaviour.busyMs > 0) {
      this.events.at(start, () => this.#report(offer.campaign, "deferred", version, { reason: "smoke alarm active" }));
      start += behaviour.busyMs;
    }
    const downloadMs = (IMAGE_BYTES / RATE_BYTES_PER_S) * SECOND * between(1, 1.6); // paced, with retries on a weak link
    for (let tenth = 1; tenth <= 10; tenth++) {
      const at = start + (downloadMs * tenth) / 10;
      if (behaviour.downloadFails && tenth === 7) {
        this.events.at(at, async () => {
          this.#working = null;
          await this.#report(offer.campaign, "failed", version, { reason: "flash write at 1048576 failed" });
        });
        return;
      }
      this.events.at(at, () => this.#report(offer.campaign, "downloading", version, { progress: tenth * 10 }));
    }
    const verified = start + downloadMs + between(2, 6) * SECOND; // native SHA-256 of 1.5 MB read back
    this.events.at(verified, () => this.#report(offer.campaign, "verified", version));
    this.events.at(verified + 500, () => this.#report(offer.campaign, "applied", version));
    const booted = verified + between(15, 30) * SECOND;
    this.events.at(booted, async () => {
      this.boot++;
      if (behaviour.cannotKeep) {
        // Never healthy: the 5-minute health window runs out and the previous image comes back.
        this.events.at(booted + 5 * MINUTE + 20 * SECOND, async () => {
          this.boot++;
          this.#working = null;
          await this.#report(offer.campaign, "rolled-back", version, { reason: `${version} was not healthy within 300 s (it never stayed connected to the broker); rolled back` });
        });
        return;
      }
      this.running = version;
      await this.#report(offer.campaign, "applied", version, { reason: "new image running; confirming its health" });
      this.events.at(booted + between(30, 45) * SECOND, async () => {
        this.#working = null;
        await this.#report(offer.campaign, "healthy", version);
      });
    });
  }
}

// ─── part 1: campaigns ──────────────────────────────────────────────────────────────────────
async function campaigns(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "sw-bench-ota-"));
  const database = await openDatabase(`file:${join(dataDir, "bench.db")}`);
  const { privateKeyPem, publicKeyHex } = generateReleaseKey();
  const key = loadPrivateKey(privateKeyPem);
  const store = new ImageStore({ db: database.db, dataDir, releaseKeys: [publicKeyHex] });
  const events = new Events();
  const nodes = new Map<string, SimulatedNode>();
  let reports = 0;
  let offers = 0;
  const channel: OfferChannel = {
    offer: (nodeId, offer) => {
      offers++;
      nodes.get(nodeId)?.offer(offer);
    },
    cancel: () => {},
  };
  const engine = new CampaignEngine({ db: database.db, clock: () => events.now, channel, log: memoryLogger(), reofferMs: 3 * MINUTE });

  const release = async (version: string) => {
    const image = buildSimImage({ version, board: "esp32-devkitc", kind: "sensor" }, IMAGE_BYTES);
    const signed = signRelease({ board: "esp32-devkitc", kind: "sensor", version, sizeBytes: image.length, sha256: createHash("sha256").update(image).digest("hex") }, key);
    return (await store.accept(image, signed, "bench", events.now)).image.sha256;
  };

  const behaviours = new Map<string, Behaviour>();
  for (let i = 1; i <= NODES; i++) {
    const id = `bench-${String(i).padStart(4, "0")}`;
    const node = new SimulatedNode(
      id,
      (version) => {
        const key = `${id}@${version}`;
        let b = behaviours.get(key);
        if (!b) {
          b = {
            offline: random() < 0.05,
            busyMs: random() < 0.01 ? between(1, 8) * MINUTE : 0,
            downloadFails: random() < 0.003,
            cannotKeep: version === "0.3.0" && random() < 0.4,
          };
          behaviours.set(key, b);
        }
        return b;
      },
      events,
      async (report) => {
        reports++;
        await engine.onReport(report.node, report);
      },
    );
    nodes.set(id, node);
    await node.announce();
  }

  for (const version of ["0.2.0", "0.3.0"]) {
    const sha256 = await release(version);
    const wallStart = performance.now();
    const reportsBefore = reports;
    const virtualStart = events.now;
    const created = await engine.create(
      { image: sha256, id: `bench-${version.replaceAll(".", "-")}`, stages: [1, 10, 50, 100], failureThreshold: 0.05, nodeWindowMs: 30 * MINUTE },
      "bench",
    );
    let summary: CampaignSummary = created;
    await events.run(
      () => engine.tick(),
      async () => {
        summary = (await engine.summary(created.id))!;
        return summary.status !== "running";
      },
      24 * 60 * MINUTE,
    );
    const wallMs = performance.now() - wallStart;
    print(`\ncampaign ${summary.id}: ${version} to ${summary.nodes} nodes, stages ${summary.stages.join(" → ")}%, pause above ${summary.failureThreshold * 100}% failed`);
    print(`  ${"stage".padEnd(12)}${"nodes".padStart(6)}${"healthy".padStart(9)}${"failed".padStart(8)}${"skipped".padStart(9)}   stage time (virtual)`);
    for (const stage of summary.stageLog) {
      const took = stage.endedAt === null ? `stopped after ${minutes(events.now - stage.startedAt)}` : minutes(stage.endedAt - stage.startedAt);
      print(`  ${`${stage.stage + 1} (${stage.percent}%)`.padEnd(12)}${String(stage.nodes).padStart(6)}${String(stage.healthy).padStart(9)}${String(stage.failed).padStart(8)}${String(stage.skipped).padStart(9)}   ${took}`);
    }
    print(`  outcome: ${summary.status} — ${summary.statusReason}`);
    print(`  nodes that got ${version}: ${summary.offered} of ${summary.nodes}; healthy ${summary.counts.healthy}, failed ${summary.counts.failed}, rolled back ${summary.counts["rolled-back"]}, skipped ${summary.counts.skipped}, never offered ${summary.counts.pending}`);
    const handled = reports - reportsBefore;
    const virtualMs = events.now - virtualStart;
    print(
      `  ${minutes(virtualMs)} of rollout simulated in ${(wallMs / 1000).toFixed(1)} s wall; ${handled} node reports handled at ${Math.round((handled / wallMs) * 1000)}/s ` +
        `(the rollout itself needs ${(handled / (virtualMs / 1000)).toFixed(1)}/s)`,
    );
  }
  print(`  (offers sent in all: ${offers})`);
  await store.close();
  database.close();
}

// ─── part 2: signature verification in XS ───────────────────────────────────────────────────
async function verificationCost(): Promise<void> {
  const { privateKeyPem, publicKeyHex } = generateReleaseKey();
  const signed = signRelease({ board: "esp32-devkitc", kind: "sensor", version: "0.2.0", sizeBytes: IMAGE_BYTES, sha256: "ab".repeat(32) }, loadPrivateKey(privateKeyPem));
  const request = { publicKey: publicKeyHex, statement: releaseStatementText(signed), signature: signed.signature };
  const worker = new XsWorker({ name: "bench-verify", onPrint: () => {} });
  await worker.evaluate(await bundleForXs(new URL("./xs/verify-release.ts", import.meta.url).pathname));
  /** One crank: its answer, its compute count, and how long XS itself ran (the worker's own crank timestamps, in seconds). */
  const crank = async (body: unknown) => {
    const { bytes, meter } = await worker.command(new TextEncoder().encode(JSON.stringify(body)));
    const [begin, end] = (meter as typeof meter & { timestamps: [number, number] }).timestamps;
    return { value: JSON.parse(new TextDecoder().decode(bytes)) as { done: boolean; valid: boolean }, compute: meter.compute, xsMs: (end - begin) * 1000 };
  };
  const sliced = async () => {
    await crank({ op: "begin", ...request });
    const slices: number[] = [];
    for (;;) {
      const step = await crank({ op: "step" });
      slices.push(step.compute);
      if (step.value.done) return { slices, valid: step.value.valid };
    }
  };
  const cold = await sliced();
  const warm = await sliced();
  const again = await sliced();
  const total = warm.slices.reduce((a, b) => a + b, 0);
  const deterministic = again.slices.reduce((a, b) => a + b, 0) === total;
  const whole: Array<{ compute: number; xsMs: number }> = [];
  for (let i = 0; i < 20; i++) whole.push(await crank({ op: "verify", ...request }));
  const xsMs = median(whole.map((w) => w.xsMs));
  const computePerMs = whole[0].compute / xsMs;
  const sha = await crank({ op: "sha256", kib: 256 });
  await worker.close();

  const slowdown = Number(process.env.ESP32_SLOWDOWN ?? 50);
  const largest = Math.max(...warm.slices);
  print("\nEd25519 verification of one release statement in XS (firmware/ota/ed25519.ts), through the XS harness meter:");
  print(`  valid: ${warm.valid}; compute ${total.toLocaleString("en")} per verification (deterministic: ${deterministic}); first ever ${cold.slices.reduce((a, b) => a + b, 0).toLocaleString("en")}, which derives the constants`);
  print(`  ${warm.slices.length} slices on the node's timer: largest ${largest.toLocaleString("en")} (a point decoding), ladder slices ~${Math.round(median(warm.slices.slice(3, -1))).toLocaleString("en")}`);
  print(`  this host, XS only (median of 20 whole verifications): ${xsMs.toFixed(2)} ms; ${Math.round(computePerMs).toLocaleString("en")} compute/ms`);
  print(`  for scale, SHA-256 in the firmware's TypeScript: ${Math.round(sha.compute / 256).toLocaleString("en")} compute per KiB (${((sha.xsMs / 256) * 1024).toFixed(0)} ms per MiB here)`);
  print(`  ESP32 estimate — an assumption, not a measurement: XS on a 240 MHz Xtensa core taken as ${slowdown}× slower than one core here (ESP32_SLOWDOWN=…):`);
  print(`    one verification ≈ ${((xsMs * slowdown) / 1000).toFixed(2)} s of CPU in ${warm.slices.length} slices, the largest ≈ ${((largest / computePerMs) * slowdown).toFixed(0)} ms;`);
  print(`    TypeScript SHA-256 of a ${(IMAGE_BYTES / 1e6).toFixed(1)} MB image would be ≈ ${(((sha.xsMs / 256) * (IMAGE_BYTES / 1024) * slowdown) / 1000).toFixed(0)} s, so the ESP32 platform hashes with the SDK's native crypt Digest`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

function minutes(ms: number): string {
  const total = Math.round(ms / 1000);
  return `${Math.floor(total / 3600)}h${String(Math.floor((total % 3600) / 60)).padStart(2, "0")}m${String(total % 60).padStart(2, "0")}s`;
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

print(`bench:ota — ${NODES} simulated nodes, ${(IMAGE_BYTES / 1e6).toFixed(1)} MB image at ${RATE_BYTES_PER_S / 1024} KiB/s per node, engine tick every ${TICK_MS / 1000} s (virtual)`);
await campaigns();
await verificationCost();
