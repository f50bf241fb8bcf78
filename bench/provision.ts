/**
 * `npm run bench:provision [-- --accounts 20000] [--nodes 500]`: a fleet of `--accounts` nodes
 * already registered (broker identities and device rows), then `--nodes` blank nodes claim at
 * once through Mosquitto (the project's config, identity plugin and dynamic security) and the
 * cloud's provisioner, and each logs in with what it was given. Prints the claim latency spread,
 * the time one broker account takes to write with a handful of accounts and with the whole
 * fleet, and the same for the dynamic-security design this replaced (a role and a client per
 * node), measured side by side in the same run on a second broker whose plugin file holds the
 * same number of accounts.
 *
 * The nodes are plain mqtt.js clients speaking the firmware's claim protocol over MQTT 3.1.1, not
 * XS machines: the measurement is of the broker and the cloud, which is where the load lands.
 * The same claimers also make the same round trip to a responder that does nothing (no
 * database, no broker accounts): the ceiling, for the ratio.
 */
import { pbkdf2Sync, randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import mqtt from "mqtt";
import { createBatch } from "../cloud/fleet/batches";
import { hashSecret } from "../cloud/fleet/credentials";
import { DynsecClient } from "../cloud/fleet/dynsec";
import { listDevices } from "../cloud/fleet/queries";
import { devices } from "../cloud/db/schema";
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

const { values: args } = parseArgs({ options: { accounts: { type: "string", default: "500" }, nodes: { type: "string", default: "500" } } });
const ACCOUNTS = Number(args.accounts);
const NODES = Number(args.nodes);
if (!(Number.isInteger(ACCOUNTS) && ACCOUNTS >= 0 && Number.isInteger(NODES) && NODES >= 1 && NODES <= 0xffff)) {
  console.error("usage: npm run bench:provision -- [--accounts <existing accounts>] [--nodes <1–65535 claiming at once>]");
  process.exit(64);
}
const BOARD = "esp32-devkitc";
const WRITES = 20;

const serialOf = (prefix: string, index: number) => `${prefix}${index.toString(16).padStart(12 - prefix.length, "0")}`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await work();
  return { value, ms: performance.now() - start };
}

/**
 * Time to write one node's broker account: WRITES of them one after another, then removed again;
 * the best of five such rounds (the cost the broker itself adds; a neighbour's burst on a shared
 * machine only ever adds to it).
 */
async function accountWriteMs(accounts: BrokerAccounts, prefix: string): Promise<number> {
  const rounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    const ids = Array.from({ length: WRITES }, (_, i) => serialOf(prefix, i));
    const start = performance.now();
    for (const id of ids) await accounts.registerNode(id, hashSecret(id));
    rounds.push((performance.now() - start) / WRITES);
    for (const id of ids) await accounts.removeNode(id);
  }
  return Math.min(...rounds);
}

/** The fleet that is already there: device rows and broker identities for `count` nodes. */
async function existingFleet(db: Parameters<typeof createBatch>[0]["db"], accounts: BrokerAccounts, count: number): Promise<void> {
  if (count === 0) return;
  const serials = Array.from({ length: count }, (_, i) => serialOf("a4ce", i));
  await createBatch({ db, accounts, now: Date.now }, { id: "b-fleet", kind: "sensor", board: BOARD, serials, expiresAt: Date.now() + 86_400_000 });
  const now = Date.now();
  for (let start = 0; start < count; start += 500) {
    const chunk = serials.slice(start, start + 500);
    await db.insert(devices).values(
      chunk.map((serial) => ({ serial, nodeId: serial, batchId: "b-fleet", kind: "sensor" as const, board: BOARD, status: "claimed" as const, credentialHash: hashSecret(serial), claimPadHash: hashSecret(`pad${serial}`), firmware: "0.1.0", claimedAt: now })),
    );
    // The plugin takes up to ~60 commands a control message; these go as fast as the broker answers.
    await Promise.all(chunk.map((serial) => accounts.registerNode(serial, hashSecret(serial))));
  }
  // Claimed long ago: their claim identities were spent when they first logged in.
  await accounts.removeBatch("b-fleet");
}

/**
 * The design this replaced, for comparison: every node a dynamic-security client bound to its
 * client id and a role naming its topics, as cloud/fleet/broker-accounts.ts wrote them up to
 * 417769a. The plugin's file is written beforehand with `count` of them (one PBKDF2 hash shared,
 * which changes nothing the plugin does per write), then one write is timed over the control topic.
 */
async function dynsecWriteMs(count: number): Promise<{ fewMs: number; fleetMs: number; fileBytes: number; startMs: number }> {
  const role = (serial: string) => {
    const prefix = `sw/v1/node/${serial}`;
    const acl = (acltype: string, topic: string, allow: boolean) => ({ acltype, topic, allow, priority: allow ? 0 : 10 });
    return {
      rolename: `sw-node-${serial}`,
      acls: [
        acl("publishClientSend", `${prefix}/cmd`, false),
        acl("publishClientSend", `${prefix}/cmd/#`, false),
        acl("publishClientSend", `${prefix}/#`, true),
        acl("subscribePattern", `${prefix}/cmd`, true),
        acl("publishClientReceive", `${prefix}/cmd`, true),
        acl("subscribePattern", `${prefix}/cmd/#`, true),
        acl("publishClientReceive", `${prefix}/cmd/#`, true),
      ],
    };
  };
  const measure = async (existing: number) => {
    const broker = await startMosquitto({ dynsec: true, startTimeoutMs: 600_000 });
    const file = join(broker.dir, "dynamic-security.json");
    let startMs = 0;
    if (existing > 0) {
      await broker.stop();
      const state = JSON.parse(readFileSync(file, "utf8")) as { clients: unknown[]; roles: unknown[] };
      const salt = randomBytes(12);
      const password = pbkdf2Sync("x".repeat(64), salt, 101, 64, "sha512").toString("base64");
      for (let i = 0; i < existing; i++) {
        const serial = serialOf("a4cd", i);
        state.clients.push({ username: serial, clientid: serial, password, salt: salt.toString("base64"), iterations: 101, roles: [{ rolename: `sw-node-${serial}` }] });
        state.roles.push(role(serial));
      }
      writeFileSync(file, JSON.stringify(state));
      const start = performance.now();
      await broker.restart();
      startMs = performance.now() - start;
    }
    const fileBytes = Buffer.byteLength(readFileSync(file));
    const client = await mqtt.connectAsync(broker.url, { ...broker.admin!, protocolVersion: 5, reconnectPeriod: 0 });
    // At a city's size one write takes seconds: wait as long as it takes, to measure it.
    const dynsec = await DynsecClient.attach(client, { answerTimeoutMs: 600_000 });
    // Fewer than the plugin's WRITES, and one round at a city's size: each of these takes seconds.
    const writes = 5;
    const rounds: number[] = [];
    for (let round = 0; round < (existing > 0 ? 1 : 5); round++) {
      const ids = Array.from({ length: writes }, (_, i) => serialOf("a4cc", round * writes + i));
      const start = performance.now();
      for (const serial of ids) {
        const { rolename, acls } = role(serial);
        await dynsec.runAll([
          { command: "createRole", rolename, acls },
          { command: "createClient", username: serial, password: "0".repeat(64), clientid: serial, roles: [{ rolename }] },
        ]);
      }
      rounds.push((performance.now() - start) / writes);
    }
    const ms = Math.min(...rounds);
    dynsec.close();
    await client.endAsync();
    await broker.stop();
    return { ms, fileBytes, startMs };
  };
  const few = await measure(0);
  const fleet = await measure(count);
  return { fewMs: few.ms, fleetMs: fleet.ms, fileBytes: fleet.fileBytes, startMs: fleet.startMs };
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
    const writesFew = await accountWriteMs(fleet.accounts, "a4cf1e");
    const populated = await timed(() => existingFleet(fleet.db, fleet.accounts, ACCOUNTS));
    const writesFleet = await accountWriteMs(fleet.accounts, "a4cf1f");
    const claimers = Array.from({ length: NODES }, (_, i) => serialOf("a4cf13", i));

    // Ceiling: the same round trip against a responder that answers at once.
    const { secret: echoSecret } = await createBatch(fleet, { id: "b-bench-echo", kind: "sensor", board: BOARD, serials: claimers, expiresAt: Date.now() + 3_600_000 });
    await cloud.provisioner!.close();
    const echo = await mqtt.connectAsync(broker.url, { ...accounts.provisioner, protocolVersion: 5 });
    await echo.subscribeAsync(claimTopic("b-bench-echo", "+", "req"), { qos: 1 });
    echo.on("message", (topic) => {
      const serial = topic.split("/")[4];
      echo.publish(claimTopic("b-bench-echo", serial, "resp"), JSON.stringify({ v: 1, ok: false, serial, reason: "unavailable", message: "echo" }), { qos: 1 });
    });
    const ceiling = await timed(() => Promise.all(claimers.map((serial) => claimOverMqtt(broker.url, { batch: "b-bench-echo", secret: echoSecret, serial, board: BOARD, kind: "sensor" }, 60_000))));
    await echo.endAsync();
    const ceilingErrors = ceiling.value.filter((o) => o.ok || o.reason !== "unavailable").length;

    // The real thing: a fresh provisioner, a fresh batch for the same serials, everyone at once.
    const provisioner = await startProvisioner({ url: broker.url, ...accounts.provisioner, clientId: "sw-provisioner-bench", db: cloud.database.db, log, now: Date.now });
    await provisioner.accounts.removeBatch("b-bench-echo");
    const { secret } = await createBatch({ ...fleet, accounts: provisioner.accounts }, { id: "b-bench", kind: "sensor", board: BOARD, serials: claimers, expiresAt: Date.now() + 3_600_000 });
    const latencies: number[] = [];
    const claims = await timed(() =>
      Promise.all(
        claimers.map(async (serial): Promise<ClaimOutcome> => {
          const start = performance.now();
          const outcome = await claimOverMqtt(broker.url, { batch: "b-bench", secret, serial, board: BOARD, kind: "sensor" }, 60_000);
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
    await provisioner.close();
    // The broker starting again with the whole fleet: the plugin replays and compacts its journal.
    const restart = await timed(() => broker.restart());
    const before = await dynsecWriteMs(ACCOUNTS);

    latencies.sort((a, b) => a - b);
    const fleetLabel = `${ACCOUNTS + NODES}`;
    const rows: Array<[string, string]> = [
      ["existing accounts (broker identities and device rows)", `${ACCOUNTS}, written in ${(populated.ms / 1000).toFixed(1)} s`],
      ["nodes claiming at once", String(NODES)],
      ["claims granted", `${granted.length} of ${NODES}`],
      ["time until every node had its answer", `${(claims.ms / 1000).toFixed(2)} s (${Math.round((granted.length / claims.ms) * 1000)} claims/s)`],
      ["claim latency p50 / p95 / max", `${percentile(latencies, 50).toFixed(0)} / ${percentile(latencies, 95).toFixed(0)} / ${latencies.at(-1)!.toFixed(0)} ms`],
      ["same round trip, responder doing nothing (ceiling)", `${(ceiling.ms / 1000).toFixed(2)} s${ceilingErrors ? `, ${ceilingErrors} errors` : ""}`],
      ["provisioning vs ceiling", `${(claims.ms / ceiling.ms).toFixed(1)}× the bare round trip`],
      ["then logged in as themselves, online in the database", `${online.value} of ${granted.length} in ${(online.ms / 1000).toFixed(2)} s`],
      ["one node's broker account, written alone (identity plugin)", `${writesFew.toFixed(2)} ms with a handful, ${writesFleet.toFixed(2)} ms with ${ACCOUNTS} (×${(writesFleet / writesFew).toFixed(2)})`],
      [
        "the same with dynamic security (role + client per node)",
        `${before.fewMs.toFixed(2)} ms with a handful, ${before.fleetMs.toFixed(2)} ms with ${ACCOUNTS} (×${(before.fleetMs / before.fewMs).toFixed(1)}; its file ${(before.fileBytes / 1e6).toFixed(1)} MB)`,
      ],
      ["at the fleet's size, plugin vs dynamic security", `${(before.fleetMs / writesFleet).toFixed(0)}× faster per write`],
      ["broker start with the fleet: plugin / dynamic security", `${(restart.ms / 1000).toFixed(2)} s / ${(before.startMs / 1000).toFixed(2)} s`],
      ["errors", errors.size ? [...errors].map(([reason, n]) => `${n} ${reason}`).join(", ") : "none"],
    ];
    const width = Math.max(...rows.map(([label]) => label.length));
    process.stdout.write(`\nbench:provision (${fleetLabel} accounts at the end; Mosquitto ${broker.url} with the identity plugin and dynamic security; libSQL file)\n\n`);
    for (const [label, value] of rows) process.stdout.write(`  ${label.padEnd(width)}  ${value}\n`);
    process.stdout.write("\n");
    process.exitCode = errors.size ? 1 : 0;
  } finally {
    await cloud.close();
    await broker.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
