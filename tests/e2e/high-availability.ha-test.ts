import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import mqtt, { type MqttClient } from "mqtt";
import { connect as connectNats } from "nats";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../cloud/db/client";
import { encodeMessage } from "../../shared/codec";
import type { AlarmMessage } from "../../shared/messages";
import { decodeReceipt } from "../../shared/receipts";
import { nodeTopic, storedTopic } from "../../shared/topics";
import { startCloudProcess, type CloudProcess } from "../support/cloud-process";
import { startNatsCluster, type NatsCluster } from "../support/nats-cluster";
import { waitFor } from "../support/wait";

const NODES = 24;
const STORM_MS = 14_000;
const EVERY_MS = 150;

interface FakeNode {
  id: string;
  client: MqttClient;
  seq: number;
  commands: string[];
  /** The seqs the cloud's receipts named (shared/receipts.ts). */
  receipted: Set<number>;
}

/** A node on MQTT 3.1.1 with a persistent session, trying the cluster's MQTT listeners in turn from `first`. */
async function connectNode(cluster: NatsCluster, id: string, first: number): Promise<FakeNode> {
  const ports = cluster.servers.map((server) => server.mqttPort);
  const servers = ports.map((_, i) => ({ host: "127.0.0.1", port: ports[(first + i) % ports.length] }));
  const client = await mqtt.connectAsync({ servers, protocol: "mqtt", clientId: id, protocolVersion: 4, clean: false, reconnectPeriod: 300, connectTimeout: 5000 });
  const node: FakeNode = { id, client, seq: 0, commands: [], receipted: new Set() };
  const receipts = storedTopic(id);
  client.on("message", (topic, payload) => {
    if (topic !== receipts) return void node.commands.push(payload.toString());
    for (const seq of decodeReceipt(payload.toString())?.seqs ?? []) node.receipted.add(seq);
  });
  await client.subscribeAsync(nodeTopic(id, "cmd"), { qos: 1 });
  await client.subscribeAsync(receipts, { qos: 0 });
  return node;
}

/**
 * Publishes until the broker acknowledges, as the node's outbox does: mqtt.js fails the publishes
 * it had not yet written when the connection dropped ("Connection closed"); those go again.
 */
async function publishUntilAcked(node: FakeNode, message: AlarmMessage): Promise<void> {
  for (;;) {
    try {
      await node.client.publishAsync(nodeTopic(node.id, "alarm"), encodeMessage(message), { qos: 1 });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }
}

function alarm(node: FakeNode, again?: number): AlarmMessage {
  const seq = again ?? ++node.seq;
  return { v: 1, node: node.id, boot: 1, seq, t: seq * 100, type: "alarm", kind: "smoke", severity: "alarm", state: seq % 2 ? "raised" : "cleared", value: 900, unit: "raw", threshold: 700 };
}

/** Messages each named NATS connection (a cloud instance's ingest) has been handed, summed over the servers still up. */
async function deliveredTo(cluster: NatsCluster): Promise<Record<string, number>> {
  const totals: Record<string, number> = {};
  for (const server of cluster.servers.filter((s) => s.running)) {
    const response = await fetch(`http://127.0.0.1:${server.monitorPort}/connz?limit=1024`);
    const { connections } = (await response.json()) as { connections: Array<{ name?: string; out_msgs: number }> };
    for (const connection of connections) if (connection.name) totals[connection.name] = (totals[connection.name] ?? 0) + connection.out_msgs;
  }
  return totals;
}

/**
 * What JetStream holds for the ingest's alarms: the stream's state, the alarm consumer's position
 * and, for each alarm not stored, the newest message on its node's alarm subject. Printed when
 * the last step fails, so a failure says whether the messages were in the stream and where the
 * consumer stood.
 */
async function jetStreamState(cluster: NatsCluster, missing: string[]): Promise<string> {
  const nc = await connectNats({ servers: cluster.natsUrls.split(","), timeout: 5000 });
  try {
    const jsm = await nc.jetstreamManager({ timeout: 5000 });
    const stream = await jsm.streams.info("$MQTT_msgs");
    const consumer = await jsm.consumers.info("$MQTT_msgs", "sw-ingest-alarm");
    const lines = [
      `stream $MQTT_msgs: ${JSON.stringify(stream.state)} leader ${stream.cluster?.leader}`,
      `consumer sw-ingest-alarm: delivered ${JSON.stringify(consumer.delivered)} ack floor ${JSON.stringify(consumer.ack_floor)} pending ${consumer.num_pending} ack pending ${consumer.num_ack_pending} redelivered ${consumer.num_redelivered} waiting pulls ${consumer.num_waiting} leader ${consumer.cluster?.leader}`,
    ];
    for (const key of missing) {
      const node = key.slice(0, key.indexOf("/"));
      const message = await jsm.streams.getMessage("$MQTT_msgs", { last_by_subj: `$MQTT.msgs.sw.v1.node.${node}.alarm` }).catch((why: Error) => why);
      lines.push(message instanceof Error ? `${key}: ${message.message}` : `${key}: stream seq ${message.seq}, ${new TextDecoder().decode(message.data)}`);
    }
    return lines.join("\n");
  } finally {
    await nc.close();
  }
}

/**
 * Past one machine: a three-server NATS cluster (JetStream R3, MQTT listeners) as the broker
 * tier and two cloud processes sharing the ingest's JetStream consumers. During a storm of
 * alarms one cloud instance is SIGKILLed and one broker server is SIGKILLed; every alarm the
 * broker acknowledged must be in the database. Then the whole broker tier restarts while no
 * cloud is running, with alarms waiting in it: they survive and are stored when a cloud returns.
 * A command sent after all that still reaches a node whose server died.
 */
describe("high availability: two cloud instances on a NATS cluster", () => {
  let cluster: NatsCluster | undefined;
  const clouds: CloudProcess[] = [];
  const nodes: FakeNode[] = [];
  let database: Database | undefined;

  afterAll(async () => {
    for (const cloud of clouds) cloud.child.kill("SIGKILL");
    await Promise.all(nodes.map((node) => node.client.endAsync(true)));
    database?.close();
    await cluster?.stop();
  });

  it("loses no acknowledged alarm when a cloud instance and a broker server die mid-storm, nor across a cluster restart", async () => {
    cluster = await startNatsCluster(3);
    const dir = mkdtempSync(join(tmpdir(), "sw-ha-"));
    const env = {
      INGEST_TRANSPORT: "nats",
      NATS_URLS: cluster.natsUrls,
      MQTT_URL: cluster.mqttUrls,
      DATABASE_URL: `file:${join(dir, "cloud.db")}`,
      DATA_DIR: dir,
    };
    const a = await startCloudProcess({ ...env, INSTANCE_ID: "ha-a" });
    clouds.push(a);
    const b = await startCloudProcess({ ...env, INSTANCE_ID: "ha-b" });
    clouds.push(b);
    database = await openDatabase(env.DATABASE_URL);
    for (let i = 0; i < NODES; i++) nodes.push(await connectNode(cluster, `ha-node-${String(i).padStart(2, "0")}`, i % 3));

    // The storm: every node raises and clears alarms, QoS 1, without waiting for each PUBACK.
    const acked = new Set<string>();
    const sent: Array<Promise<unknown>> = [];
    let storming = true;
    const storm = (async () => {
      while (storming) {
        for (const node of nodes) {
          const message = alarm(node);
          sent.push(publishUntilAcked(node, message).then(() => acked.add(`${node.id}/${message.seq}`)));
        }
        await new Promise((resolve) => setTimeout(resolve, EVERY_MS));
      }
    })();
    const stormStarted = Date.now();
    await waitFor(() => acked.size >= NODES * 10, "the storm to get going", 20_000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const shares = await deliveredTo(cluster);
    // Both instances pulled from the shared consumers before one of them died.
    expect(shares["sw-cloud-ha-a"]).toBeGreaterThan(0);
    expect(shares["sw-cloud-ha-b"]).toBeGreaterThan(0);
    b.child.kill("SIGKILL");
    await b.exited;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await cluster.kill(1);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, STORM_MS - (Date.now() - stormStarted))));
    storming = false;
    await storm;
    // Every publish is acknowledged in the end: nodes on the dead server resend on their next one.
    await Promise.race([Promise.allSettled(sent), new Promise((resolve) => setTimeout(resolve, 30_000))]);
    const published = nodes.reduce((sum, node) => sum + node.seq, 0);
    expect(acked.size).toBe(published);

    const storedKeys = async () => {
      const rows = await database!.db.all<{ key: string }>(sql`select node_id || '/' || seq as key from alarms where node_id like 'ha-node-%'`);
      return new Set(rows.map((row) => row.key));
    };
    let stored = new Set<string>();
    await waitFor(
      async () => {
        stored = await storedKeys();
        return [...acked].every((key) => stored.has(key));
      },
      "every acknowledged alarm stored",
      40_000,
      250,
    ).catch(() => undefined);
    const lost = [...acked].filter((key) => !stored.has(key));
    expect({ published, lost: lost.length, first: lost.slice(0, 5) }).toEqual({ published, lost: 0, first: [] });
    const report = (line: string) => process.stdout.write(`bench:ha  ${line}\n`);
    report(`${NODES} nodes (MQTT 3.1.1, persistent sessions) on a 3-server NATS cluster (JetStream R3), 2 cloud instances`);
    report(`messages handed to each instance before the kill: ${JSON.stringify(shares)}`);
    report(`storm: ${published} alarms published over ${(STORM_MS / 1000).toFixed(0)} s; SIGKILL of instance b, then of NATS server n1`);
    report(`acknowledged by the broker ${acked.size}, stored ${[...acked].filter((key) => stored.has(key)).length}, lost ${lost.length}`);
    const [{ rows, keys }] = await database.db.all<{ rows: number; keys: number }>(sql`select count(*) as rows, count(distinct node_id || '/' || seq) as keys from alarms where node_id like 'ha-node-%'`);
    expect(rows).toBe(keys);

    // A command from the surviving instance reaches a node that was on the dead server.
    const target = nodes[1];
    const response = await fetch(`${a.url}/api/nodes/${target.id}/commands`, {
      method: "POST",
      headers: { authorization: `Bearer ${a.token}`, "content-type": "application/json" },
      body: JSON.stringify({ op: "display", text: "HA" }),
    });
    expect(response.status).toBe(202);
    const { command } = (await response.json()) as { command: { id: string } };
    const commandSent = Date.now();
    await waitFor(() => target.commands.some((payload) => payload.includes(command.id)), "the command at the node", 20_000);
    report(`command from instance a reached ${target.id} (first on the killed server) in ${Date.now() - commandSent} ms`);

    // The broker tier's own restart, with alarms waiting in it and no cloud to take them.
    a.child.kill("SIGKILL");
    await a.exited;
    await cluster.start(1);
    const waiting: string[] = [];
    await Promise.all(
      nodes.map(async (node) => {
        const message = alarm(node);
        await publishUntilAcked(node, message);
        waiting.push(`${node.id}/${message.seq}`);
      }),
    );
    await cluster.restart(500);
    const c = await startCloudProcess({ ...env, INSTANCE_ID: "ha-a" });
    clouds.push(c);
    // As the firmware's outbox does: an alarm the broker acknowledged stays with its node until the
    // cloud's receipt, and goes again when none comes (here after 5 s). Should NATS lose the
    // waiting alarms across its restart (it did once in 25 runs on 2.9.10), they come again.
    let sentAgain = 0;
    let resending = true;
    const resends = Promise.all(
      nodes.map(async (node) => {
        const seq = node.seq;
        for (let waited = 0; resending && !node.receipted.has(seq); waited += 250) {
          await new Promise((resolve) => setTimeout(resolve, 250));
          if (waited > 0 && waited % 5000 === 0 && !node.receipted.has(seq)) {
            await publishUntilAcked(node, alarm(node, seq));
            sentAgain++;
          }
        }
      }),
    );
    await waitFor(async () => {
      stored = await storedKeys();
      return waiting.every((key) => stored.has(key));
    }, "the alarms that waited through the cluster restart", 40_000, 250).catch(async (error: Error) => {
      resending = false;
      // What the cloud said, and what JetStream holds, tell why (it has happened about one run in three).
      const missing = waiting.filter((key) => !stored.has(key));
      const held = await jetStreamState(cluster!, missing).catch((why: Error) => `JetStream could not be asked: ${why.message}`);
      throw new Error(`${error.message}\nnot stored: ${missing.join(", ")}\n${held}\nthe cloud's output, last lines:\n${c.output().slice(-4000)}`);
    });
    // The ones the alarm durable passed over across the restart, found by the ingest's sweep (jetstream-subscriber.ts).
    const swept = c.output().split("\n").filter((line) => line.includes("had passed over")).length;
    await waitFor(() => nodes.every((node) => node.receipted.has(node.seq)), "the cloud's receipts for the alarms that waited", 20_000).finally(() => (resending = false));
    await resends;
    report(
      `cluster restart with no cloud running: ${waiting.length} alarms waiting in JetStream, all ${waiting.length} stored once a cloud came back ` +
        `(${swept} found by the sweep: the durable had passed over them; ${sentAgain} sent again by their nodes for want of a receipt); every node has its receipt`,
    );
  }, 230_000);
});
