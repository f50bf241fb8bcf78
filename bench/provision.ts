/**
 * `npm run bench:provision`: 500 blank nodes claim at once through Mosquitto (the project's
 * config and dynamic-security setup) and the cloud's provisioner; then each logs in with what it
 * was given and announces itself. Prints the time, the latency spread and every error.
 *
 * The nodes are plain mqtt.js clients speaking the firmware's claim protocol over MQTT 3.1.1, not
 * 500 XS machines: the measurement is of the broker and the cloud, which is where the load lands.
 * In the same run, the same 500 clients make the same round trip to a responder that does nothing
 * (no database, no broker accounts), which is the ceiling; the ratio shows what provisioning costs.
 */
import mqtt from "mqtt";
import { createBatch } from "../cloud/fleet/batches";
import { listDevices } from "../cloud/fleet/queries";
import { memoryLogger } from "../cloud/log";
import { startCloud } from "../cloud/server";
import type { BrokerAccounts } from "../cloud/fleet/broker-accounts";
import { startProvisioner } from "../cloud/fleet/provisioner";
import { bootstrapBroker } from "../deploy/mosquitto/bootstrap";
import { encodeMessage } from "../shared/codec";
import { claimTopic, nodeTopic } from "../shared/topics";
import { claimOverMqtt, type ClaimOutcome } from "../tests/support/claim-client";
import { tempDatabaseUrl } from "../tests/support/cloud";
import { startMosquitto } from "../tests/support/mosquitto";

const NODES = Number(process.env.BENCH_NODES ?? 500);
const BOARD = "esp32-devkitc";

function serialOf(index: number): string {
  return `a4cf13${index.toString(16).padStart(6, "0")}`;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await work();
  return { value, ms: performance.now() - start };
}

/** Mean time to register a node's broker account (role and client), one after another, over 20. */
async function accountWriteMs(accounts: BrokerAccounts, prefix: string): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < 20; i++) await accounts.registerNode(`${prefix}${i.toString(16).padStart(6, "0")}`, "0".repeat(64));
  const ms = (performance.now() - start) / 20;
  for (let i = 0; i < 20; i++) await accounts.removeNode(`${prefix}${i.toString(16).padStart(6, "0")}`);
  return ms;
}

async function main(): Promise<void> {
  const broker = await startMosquitto({ dynsec: true });
  const accounts = await bootstrapBroker({ url: broker.url, adminUsername: broker.admin!.username, adminPassword: broker.admin!.password });
  const log = memoryLogger();
  const cloud = await startCloud({
    databaseUrl: tempDatabaseUrl(),
    mqtt: { url: broker.url, ...accounts.ingest, protocolVersion: 5, shareGroup: "ingest" },
    provisioning: accounts.provisioner,
    instanceId: "bench",
    port: 0,
    host: "127.0.0.1",
    log,
  });
  const fleet = { db: cloud.database.db, accounts: cloud.provisioner!.accounts, now: Date.now };
  try {
    // What one broker account costs while the plugin holds few accounts (it rewrites its whole file per change).
    const writesEmpty = await accountWriteMs(fleet.accounts, "a4cf1e");

    // Ceiling: the same round trip against a responder that answers at once.
    const { secret: echoSecret } = await createBatch(fleet, { id: "b-bench-echo", kind: "sensor", board: BOARD, count: NODES, expiresAt: Date.now() + 3_600_000 });
    await cloud.provisioner!.close();
    const echo = await mqtt.connectAsync(broker.url, { ...accounts.provisioner, protocolVersion: 5 });
    await echo.subscribeAsync(claimTopic("b-bench-echo", "+", "req"), { qos: 1 });
    echo.on("message", (topic) => {
      const serial = topic.split("/")[4];
      echo.publish(claimTopic("b-bench-echo", serial, "resp"), JSON.stringify({ v: 1, ok: false, serial, reason: "unavailable", message: "echo" }), { qos: 1 });
    });
    const ceiling = await timed(() =>
      Promise.all(Array.from({ length: NODES }, (_, i) => claimOverMqtt(broker.url, { batch: "b-bench-echo", secret: echoSecret, serial: serialOf(i), board: BOARD, kind: "sensor" }, 60_000))),
    );
    await echo.endAsync();
    const ceilingErrors = ceiling.value.filter((o) => o.ok || o.reason !== "unavailable").length;

    // The real thing: a fresh provisioner, a fresh batch, everyone at once.
    const provisioner = await startProvisioner({ url: broker.url, ...accounts.provisioner, clientId: "bench-provisioner", db: cloud.database.db, log, now: Date.now });
    const { secret } = await createBatch({ ...fleet, accounts: provisioner.accounts }, { id: "b-bench", kind: "sensor", board: BOARD, count: NODES, expiresAt: Date.now() + 3_600_000 });
    const latencies: number[] = [];
    const claims = await timed(() =>
      Promise.all(
        Array.from({ length: NODES }, async (_, i): Promise<ClaimOutcome> => {
          const start = performance.now();
          const outcome = await claimOverMqtt(broker.url, { batch: "b-bench", secret, serial: serialOf(i), board: BOARD, kind: "sensor" }, 60_000);
          latencies.push(performance.now() - start);
          return outcome;
        }),
      ),
    );
    const granted = claims.value.filter((o): o is Extract<ClaimOutcome, { ok: true }> => o.ok);
    const errors = new Map<string, number>();
    for (const outcome of claims.value) if (!outcome.ok) errors.set(outcome.reason, (errors.get(outcome.reason) ?? 0) + 1);

    // Then each logs in as itself and says it is online; the ingest stores it.
    const online = await timed(async () => {
      const results = await Promise.allSettled(
        granted.map(async (identity) => {
          const client = await mqtt.connectAsync(broker.url, { clientId: identity.nodeId, username: identity.username, password: identity.password, protocolVersion: 4, reconnectPeriod: 0 });
          await client.publishAsync(nodeTopic(identity.nodeId, "status"), encodeMessage({ v: 1, node: identity.nodeId, boot: 1, seq: 1, t: 0, type: "status", online: true, firmware: "0.1.0-bench" }), { qos: 1, retain: true });
          return client;
        }),
      );
      const clients = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
      for (const r of results) if (r.status === "rejected") errors.set(`login: ${(r.reason as Error).message}`, (errors.get(`login: ${(r.reason as Error).message}`) ?? 0) + 1);
      const deadline = Date.now() + 30_000;
      let stored = 0;
      while (Date.now() < deadline) {
        stored = (await listDevices(cloud.database.db, "b-bench")).filter((d) => d.online).length;
        if (stored >= clients.length) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await Promise.all(clients.map((client) => client.endAsync(true)));
      return stored;
    });
    if (online.value < granted.length) errors.set("online status not stored", granted.length - online.value);
    const writesFull = await accountWriteMs(provisioner.accounts, "a4cf1f");
    await provisioner.close();

    latencies.sort((a, b) => a - b);
    const rows: Array<[string, string]> = [
      ["nodes claiming at once", String(NODES)],
      ["claims granted", `${granted.length} of ${NODES}`],
      ["time until every node had its answer", `${(claims.ms / 1000).toFixed(2)} s (${Math.round((granted.length / claims.ms) * 1000)} claims/s)`],
      ["claim latency p50 / p95 / max", `${percentile(latencies, 50).toFixed(0)} / ${percentile(latencies, 95).toFixed(0)} / ${latencies.at(-1)!.toFixed(0)} ms`],
      ["same round trip, responder doing nothing (ceiling)", `${(ceiling.ms / 1000).toFixed(2)} s${ceilingErrors ? `, ${ceilingErrors} errors` : ""}`],
      ["provisioning vs ceiling", `${(claims.ms / ceiling.ms).toFixed(1)}× the bare round trip`],
      ["then logged in as themselves, online in the database", `${online.value} of ${granted.length} in ${(online.ms / 1000).toFixed(2)} s`],
      ["one node's broker account, written alone", `${writesEmpty.toFixed(1)} ms with a handful of accounts, ${writesFull.toFixed(1)} ms with ${NODES + 10}`],
      ["errors", errors.size ? [...errors].map(([reason, n]) => `${n} ${reason}`).join(", ") : "none"],
    ];
    const width = Math.max(...rows.map(([label]) => label.length));
    process.stdout.write(`\nbench:provision (${NODES} nodes; Mosquitto ${broker.url} with dynamic security; libSQL file)\n\n`);
    for (const [label, value] of rows) process.stdout.write(`  ${label.padEnd(width)}  ${value}\n`);
    process.stdout.write("\n");
    process.exitCode = errors.size ? 1 : 0;
  } finally {
    await cloud.close();
    await broker.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`bench:provision failed: ${(error as Error).stack}\n`);
  process.exit(1);
});
