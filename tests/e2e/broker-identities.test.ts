import { eq } from "drizzle-orm";
import mqtt, { type MqttClient } from "mqtt";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bootstrapBroker, type BrokerBootstrap } from "../../deploy/mosquitto/bootstrap";
import { cloudClientIds } from "../../cloud/broker/client-ids";
import { alarms } from "../../cloud/db/schema";
import { createBatch } from "../../cloud/fleet/batches";
import { memoryLogger } from "../../cloud/log";
import { startCloud, type RunningCloud } from "../../cloud/server";
import { claimClientId, claimUsername } from "../../shared/claim";
import { encodeMessage } from "../../shared/codec";
import { claimTopic, nodeTopic } from "../../shared/topics";
import { claimOverMqtt } from "../support/claim-client";
import { tempDatabaseUrl } from "../support/cloud";
import { alarm } from "../support/messages";
import { startMosquitto, type Mosquitto } from "../support/mosquitto";
import { waitFor } from "../support/wait";

const DAY_MS = 86_400_000;
const BOARD = "esp32-devkitc";
const N1 = "a4cf17000001";
const N2 = "a4cf17000002";
const PENDING = "a4cf17000003";
const QUEUED_ALARMS = 20;

/**
 * Issue 12: nobody can act as a node or as the cloud. On Mosquitto with the project's identity
 * plugin and dynamic security, a batch's claim credential and a node's credential each try the
 * cloud's client id, another node's and a random one (clean and persistent, MQTT 3.1.1 and 5)
 * while the cloud is down with alarms queued for it; every attempt is refused at CONNECT, and the
 * cloud finds all its alarms when it comes back. Then the batch secret tries to squat.
 */
describe("no credential takes over a client id it does not own", () => {
  let broker: Mosquitto;
  let accounts: BrokerBootstrap;
  let cloud: RunningCloud | undefined;
  const databaseUrl = tempDatabaseUrl();
  const instanceId = `ids-${process.pid}`;
  const log = memoryLogger();
  const clients: MqttClient[] = [];
  let secret: string;
  const batchId = "b-ids";
  const credentials = new Map<string, { username: string; password: string }>();

  const start = () =>
    startCloud({ databaseUrl, mqtt: { url: broker.url, ...accounts.ingest, protocolVersion: 5 }, provisioning: accounts.provisioner, instanceId, port: 0, host: "127.0.0.1", log });

  beforeAll(async () => {
    broker = await startMosquitto({ dynsec: true });
    accounts = await bootstrapBroker({ url: broker.url, adminUsername: broker.admin!.username, adminPassword: broker.admin!.password });
    cloud = await start();
    ({ secret } = await createBatch(
      { db: cloud.database.db, accounts: cloud.provisioner!.accounts, now: Date.now },
      { id: batchId, kind: "sensor", board: BOARD, serials: [N1, N2, PENDING], expiresAt: Date.now() + DAY_MS },
    ));
    for (const serial of [N1, N2]) {
      const outcome = await claimOverMqtt(broker.url, { batch: batchId, secret, serial, board: BOARD, kind: "sensor" });
      if (!outcome.ok) throw new Error(`claim of ${serial}: ${outcome.reason}`);
      credentials.set(serial, { username: outcome.username, password: outcome.password });
    }
  });
  afterAll(async () => {
    for (const client of clients) client.end(true);
    await cloud?.close();
    await broker?.stop();
  });

  async function connect(options: mqtt.IClientOptions): Promise<MqttClient> {
    const client = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
    clients.push(client);
    return client;
  }

  it("refuses the claim and the node credential under the cloud's id, another node's and a random one, and the cloud's queued alarms survive", async () => {
    const cloudIds = cloudClientIds(accounts.ingest.username, accounts.ingest.password, instanceId);
    // The other node, online as itself: it must not be knocked off.
    const other = await connect({ ...credentials.get(N2)!, clientId: N2, protocolVersion: 4, clean: false });
    let otherDropped = 0;
    other.on("close", () => otherDropped++);

    // The cloud goes down; its persistent session keeps what N1 sends meanwhile.
    await cloud!.close();
    cloud = undefined;
    const n1 = await connect({ ...credentials.get(N1)!, clientId: N1, protocolVersion: 4 });
    for (let seq = 1; seq <= QUEUED_ALARMS; seq++) await n1.publishAsync(nodeTopic(N1, "alarm"), encodeMessage({ ...alarm, node: N1, boot: 1, seq }), { qos: 1 });
    await n1.endAsync();

    const attackers = {
      "the batch's claim credential": { username: claimUsername(batchId), password: secret },
      "node N1's credential": credentials.get(N1)!,
    };
    const targets = {
      "the cloud ingest's id": cloudIds.ingest,
      "the cloud's command id": cloudIds.commands,
      "the cloud's id as it was named before issue 12": `sw-cloud-${instanceId}`,
      "node N2's id": N2,
      "a random id": `x-${randomBytes(6).toString("hex")}`,
    };
    const admitted: string[] = [];
    for (const [who, credential] of Object.entries(attackers)) {
      for (const [what, clientId] of Object.entries(targets)) {
        for (const protocolVersion of [4, 5] as const) {
          for (const clean of [true, false]) {
            const attempt = await mqtt
              .connectAsync(broker.url, { ...credential, clientId, protocolVersion, clean, reconnectPeriod: 0, connectTimeout: 5000 })
              .then((client) => (client.end(true), "admitted"), (error: Error) => error.message);
            if (!/Not authorized/.test(attempt)) admitted.push(`${who} as ${what} (MQTT ${protocolVersion === 4 ? "3.1.1" : "5"}, clean ${clean}): ${attempt}`);
          }
        }
      }
    }
    // A credential of the cloud's own that is not the ingest's may not take its id either.
    const provisionerAttempt = await mqtt
      .connectAsync(broker.url, { ...accounts.provisioner, clientId: cloudIds.ingest, protocolVersion: 5, reconnectPeriod: 0 })
      .then((client) => (client.end(true), "admitted"), (error: Error) => error.message);
    expect(provisionerAttempt).toMatch(/Not authorized/);
    expect(admitted).toEqual([]);
    expect(otherDropped).toBe(0);
    expect(other.connected).toBe(true);

    // The cloud comes back under its own id and finds every alarm that waited for it.
    cloud = await start();
    const stored = await waitFor(async () => {
      const rows = await cloud!.database.db.select().from(alarms).where(eq(alarms.nodeId, N1));
      return rows.length === QUEUED_ALARMS ? rows : null;
    }, `all ${QUEUED_ALARMS} queued alarms stored`, 10_000);
    expect(stored.map((row) => row.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: QUEUED_ALARMS }, (_, i) => i + 1));
  });

  it("refuses squatting on a batch: serials it was not made for, other batches' serials, claimed serials, an expired batch", async () => {
    const requests = cloud!.provisioner!.stats.requests;
    const fleet = { db: cloud!.database.db, accounts: cloud!.provisioner!.accounts, now: Date.now };
    await createBatch(fleet, { id: "b-ids-other", kind: "sensor", board: BOARD, serials: ["a4cf17000009"], expiresAt: Date.now() + DAY_MS });
    const expiring = await createBatch(fleet, { id: "b-ids-brief", kind: "sensor", board: BOARD, serials: ["a4cf17000008"], expiresAt: Date.now() + 500 });
    await new Promise((resolve) => setTimeout(resolve, 1100));

    const asBatch = (clientId: string, batch = batchId, password = secret) =>
      mqtt
        .connectAsync(broker.url, { username: claimUsername(batch), password, clientId, protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5000 })
        .then((client) => (client.end(true), "admitted"), (error: Error) => error.message);
    const attempts = {
      "a serial the batch was not made for": await asBatch(claimClientId("a4cf170000ff")),
      "another batch's serial": await asBatch(claimClientId("a4cf17000009")),
      "a claimed serial whose node is online (its claim is spent)": await asBatch(claimClientId(N1)),
      "an id that is no claim id": await asBatch("squatter"),
      "an expired batch's serial, with that batch's secret": await asBatch(claimClientId("a4cf17000008"), "b-ids-brief", expiring.secret),
    };
    for (const [what, outcome] of Object.entries(attempts)) expect(outcome, what).toMatch(/Not authorized/);

    // Minting identities is not possible: a made-up serial's claim request never reaches the cloud.
    const minted = await claimOverMqtt(broker.url, { batch: batchId, secret, serial: "a4cf170000fe", board: BOARD, kind: "sensor" }, 3000);
    expect(minted).toMatchObject({ ok: false, reason: "broker-refused" });
    expect(cloud!.provisioner!.stats.requests).toBe(requests);

    // The one serial still waiting can claim, confined to its own request and answer.
    const pending = await connect({ username: claimUsername(batchId), password: secret, clientId: claimClientId(PENDING), protocolVersion: 5 });
    await expect(pending.publishAsync(claimTopic(batchId, N2, "req"), "{}", { qos: 1 })).rejects.toThrow(/Not authorized/);
    await expect(pending.subscribeAsync(claimTopic(batchId, N2, "resp"), { qos: 1 })).rejects.toThrow(/Not authorized/);
    await pending.subscribeAsync(claimTopic(batchId, PENDING, "resp"), { qos: 1 });
    await pending.endAsync();
  });
});
