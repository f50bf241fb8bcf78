import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBatch } from "../../cloud/fleet/batches";
import { hashSecret } from "../../cloud/fleet/credentials";
import { findDevice } from "../../cloud/fleet/queries";
import { releaseDevice, revokeDevice } from "../../cloud/fleet/devices";
import { createToken } from "../../cloud/auth/tokens";
import { SimFlash } from "../../firmware/platform/sim/host/sim-flash";
import { SimNode } from "../../firmware/platform/sim/host/sim-node";
import { claimClientId, claimUsername } from "../../shared/claim";
import { encodeMessage } from "../../shared/codec";
import { claimTopic, nodeTopic } from "../../shared/topics";
import { alarm } from "../support/messages";
import { startFleetSite, type FleetSite } from "../support/fleet";
import { dividerCounts, ntcCounts } from "../../firmware/platform/sim/host/analog-physics";
import { createPlace } from "../../cloud/places/queries";
import { capsuleNodeConfig, smokeNodeConfig } from "../support/sim-config";
import { seedSite } from "../support/site";
import { openSse } from "../support/sse";
import { waitFor } from "../support/wait";

const DAY_MS = 86_400_000;
const A = "a4cf12000001";
const B = "a4cf12000002";
const C = "a4cf12000003";

/**
 * The "must show" list, on real parts: Mosquitto with the project's config and
 * dynamic-security setup, the cloud's accounts made by deploy/mosquitto/bootstrap.ts, the cloud
 * answering claims, and nodes whose firmware (claim included) runs in XS.
 */
describe("provisioning over Mosquitto with the project's dynamic-security setup", () => {
  let site: FleetSite;
  let token: string;
  let secret: string;
  const batchId = "b-e2e-list";
  const nodes: SimNode[] = [];
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    site = await startFleetSite();
    token = await createToken(site.cloud.database.db, "e2e", "admin", Date.now());
    ({ secret } = await createBatch(site.fleet, {
      id: batchId,
      kind: "sensor",
      board: "esp32-devkitc",
      serials: ["a4:cf:12:00:00:01", "a4:cf:12:00:00:02", "a4:cf:12:00:00:03"],
      expiresAt: Date.now() + DAY_MS,
    }));
  });
  afterAll(async () => {
    for (const client of clients) client.end(true);
    await Promise.all(nodes.map((node) => node.stop()));
    await site?.stop();
  });

  async function bootBlank(serial: string, options: { batch?: string; secret?: string; flash?: SimFlash } = {}) {
    const lines: string[] = [];
    const node = await SimNode.boot({
      brokerUrl: site.broker.url,
      protocolVersion: 4,
      config: smokeNodeConfig("unclaimed"),
      claim: { batch: options.batch ?? batchId, secret: options.secret ?? secret, serial, kind: "sensor" },
      flash: options.flash,
      onLog: (level, message) => lines.push(`${level}: ${message}`),
    });
    nodes.push(node);
    const logged = (pattern: RegExp, what: string) => waitFor(() => lines.find((line) => pattern.test(line)), what, 10_000);
    return { node, lines, logged };
  }

  async function online(node: SimNode) {
    await waitFor(async () => (await node.inspect()).connected, `${node.nodeId} to come online`, 10_000);
  }

  /**
   * Moves a claiming node's clock on in steps shorter than its 30 s answer timeout, letting each
   * claim round trip (real I/O, real time) finish before virtual time moves past it.
   */
  async function advanceThroughClaims(node: SimNode, totalMs: number) {
    for (let elapsedMs = 0; elapsedMs < totalMs; elapsedMs += 20_000) {
      await node.advance(20_000);
      const settled = async () => {
        const state = await node.inspect();
        return state.connected || (state.claim?.state !== "connecting" && state.claim?.state !== "waiting");
      };
      await waitFor(settled, "the claim round trip", 3000);
      if ((await node.inspect()).claim?.state === "claimed") return;
    }
  }

  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${site.cloud.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  };

  /** A raw MQTT client on an account; a node's account only accepts the node's own client id. */
  async function connectAs(username: string, password: string, protocolVersion: 4 | 5 = 5, clientId = `probe-${username}-${clients.length}`): Promise<MqttClient> {
    const client = await mqtt.connectAsync(site.broker.url, { username, password, protocolVersion, reconnectPeriod: 0, clientId });
    clients.push(client);
    return client;
  }

  const flashes = new Map<string, SimFlash>();
  let nodeA: SimNode;
  let nodeB: Awaited<ReturnType<typeof bootBlank>>;
  const credentialsOf = (serial: string) => ({ username: flashes.get(serial)!.get("mqttUser")!, password: flashes.get(serial)!.get("mqttPass")! });

  it("a blank node claims and comes online under its own identity, and keeps it across a reboot", async () => {
    const flash = new SimFlash();
    flashes.set(A, flash);
    const { node } = await bootBlank(A, { flash });
    await online(node);
    const state = await node.inspect();
    expect(state.nodeId).toBe(A);
    expect(state.claim).toEqual({ state: "claimed", lastRefusal: null });

    // Its own credentials are in flash, the claim pad is gone, and the cloud keeps only a hash.
    expect(flash.get("nodeId")).toBe(A);
    expect(flash.get("mqttUser")).toBe(A);
    expect(flash.get("mqttPass")).toMatch(/^[0-9a-f]{64}$/);
    expect(flash.get("claimPad")).toBeUndefined();
    const device = await findDevice(site.cloud.database.db, A);
    expect(device).toMatchObject({ status: "claimed", nodeId: A, batchId, kind: "sensor", board: "esp32-devkitc" });
    expect(device!.credentialHash).toBe(hashSecret(flash.get("mqttPass")!));

    // It speaks as itself: its status and a smoke alarm reach the database under its id.
    const { nodes: listed } = await waitFor(async () => {
      const body = await api<{ nodes: Array<{ id: string; online: boolean; firmware: string | null }> }>("/api/nodes");
      return body.nodes.some((n) => n.id === A && n.online) ? body : null;
    }, "the node's online status in the database");
    expect(listed.find((n) => n.id === A)).toMatchObject({ online: true, firmware: "0.1.0-test" });
    await node.setPins({ smoke: 300 });
    await node.advance(3000);
    await node.setPins({ smoke: 950 });
    await node.advance(5000);
    await waitFor(async () => (await api<{ alarms: unknown[] }>(`/api/alarms?node=${A}`)).alarms.length === 1, "node A's alarm in the database");

    // Rebooted, it starts under its identity straight away: no second claim.
    const requests = site.cloud.provisioner!.stats.requests;
    node.kill();
    const rebooted = await bootBlank(A, { flash });
    nodeA = rebooted.node;
    await online(rebooted.node);
    expect(site.cloud.provisioner!.stats.requests).toBe(requests);
    // The first start drew a boot era (shared/boot-era.ts); the reboot counts on from it.
    expect(rebooted.lines.some((line) => line.startsWith(`info: connected as ${A} (boot ${state.bootId + 1},`))).toBe(true);
  });

  it("refuses a wrong claim secret, a serial not in the batch and an expired batch at the broker's door, and a claim the cloud refuses with its reason", async () => {
    const atTheDoor = async (node: Awaited<ReturnType<typeof bootBlank>>) =>
      expect(await node.logged(/claim connection lost/, "the broker's refusal in the node's log")).toMatch(/Not authorized.*check claim_batch, claim_secret and mqtt_host/);
    const wrong = await bootBlank(B, { secret: "0".repeat(64) });
    await atTheDoor(wrong);
    await wrong.node.stop();

    // A serial the batch was not made for has no claim identity: the broker refuses it, the cloud never hears of it.
    const requests = site.cloud.provisioner!.stats.requests;
    const stranger = await bootBlank("a4cf12009999");
    await atTheDoor(stranger);

    const expiring = await createBatch(site.fleet, { id: "b-e2e-expired", kind: "sensor", board: "esp32-devkitc", serials: ["a4cf12200001"], expiresAt: Date.now() + 200 });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const late = await bootBlank("a4cf12200001", { batch: "b-e2e-expired", secret: expiring.secret });
    await atTheDoor(late);
    expect(site.cloud.provisioner!.stats.requests).toBe(requests);

    // A listed serial flashed with the wrong kind's build gets through the door and the cloud says why not.
    const capsuleBuild = await createBatch(site.fleet, { id: "b-e2e-kind", kind: "capsule", board: "esp32-devkitc", serials: ["a4cf12100001"], expiresAt: Date.now() + DAY_MS });
    const mismatched = await bootBlank("a4cf12100001", { batch: "b-e2e-kind", secret: capsuleBuild.secret });
    expect(await mismatched.logged(/claim refused/, "the refusal")).toMatch(/^error: claim refused \(batch-mismatch\): batch b-e2e-kind is for capsule nodes/);

    // None of the refused got a device, a node row or a broker account.
    for (const serial of [B, "a4cf12009999", "a4cf12100001", "a4cf12200001"]) expect(await findDevice(site.cloud.database.db, serial)).toBeNull();
    const { nodes: listed } = await api<{ nodes: Array<{ id: string }> }>("/api/nodes");
    expect(listed.map((n) => n.id)).not.toContain("a4cf12100001");
    for (const node of [stranger.node, mismatched.node, late.node]) await node.stop();
  });

  it("node A publishing on node B's topic is refused by the broker and never reaches the database; A cannot read B's commands", async () => {
    const flashB = new SimFlash();
    flashes.set(B, flashB);
    const b = await bootBlank(B, { flash: flashB });
    nodeB = b;
    await online(b.node);
    const asA = credentialsOf(A);
    const asB = credentialsOf(B);
    // A compromised node A: its credentials in a client that sends whatever it likes. (The real
    // node A steps aside: its account takes one connection, under its own client id.)
    await nodeA.stop();
    const forged = (seq: number) => encodeMessage({ ...alarm, node: B, boot: 99, seq });

    // MQTT 5 says so in the PUBACK (reason 135, not authorized) …
    const spoofer = await connectAs(asA.username, asA.password, 5, A);
    await expect(spoofer.publishAsync(nodeTopic(B, "alarm"), forged(1), { qos: 1 })).rejects.toThrow(/Not authorized/);
    await expect(spoofer.publishAsync(nodeTopic(B, "status"), encodeMessage({ v: 1, node: B, boot: 99, seq: 2, t: 0, type: "status", online: false, firmware: "evil" }), { qos: 1, retain: true })).rejects.toThrow(/Not authorized/);
    // A's own topics still work for A.
    await spoofer.publishAsync(nodeTopic(A, "telemetry"), encodeMessage({ v: 1, node: A, boot: 99, seq: 4, t: 0, type: "telemetry", readings: { smokeRaw: 301 } }), { qos: 1 });
    await spoofer.endAsync();
    // … MQTT 3.1.1 drops it silently, and the publisher believes it went through.
    const quiet = await connectAs(asA.username, asA.password, 4, A);
    await quiet.publishAsync(nodeTopic(B, "alarm"), forged(3), { qos: 1 });
    await quiet.endAsync();
    // Its credentials under any other client id get nowhere.
    await expect(mqtt.connectAsync(site.broker.url, { ...asA, clientId: "impostor", protocolVersion: 5, reconnectPeriod: 0 })).rejects.toThrow(/Not authorized/);

    // What reached the database: B's own alarm (sent after the forgeries), none of the forged ones.
    await b.node.setPins({ smoke: 300 });
    await b.node.advance(3000);
    await b.node.setPins({ smoke: 950 });
    await b.node.advance(5000);
    const { alarms } = await waitFor(async () => {
      const body = await api<{ alarms: Array<{ nodeId: string; bootId: number }> }>(`/api/alarms?node=${B}`);
      return body.alarms.length ? body : null;
    }, "B's own alarm");
    expect(alarms).toHaveLength(1);
    expect(alarms[0].bootId).not.toBe(99);
    await waitFor(async () => {
      const body = await api<{ nodes: Array<{ id: string; readings: Record<string, number> | null }> }>("/api/nodes");
      return body.nodes.find((n) => n.id === A)?.readings?.smokeRaw === 301;
    }, "A's own telemetry");
    const { nodes: listed } = await api<{ nodes: Array<{ id: string; online: boolean; firmware: string | null }> }>("/api/nodes");
    expect(listed.find((n) => n.id === B)).toMatchObject({ online: true, firmware: "0.1.0-test" });

    // A may not subscribe to B's commands, by name or by wildcard; B receives them, A does not.
    const reader = await connectAs(asA.username, asA.password, 5, A);
    await expect(reader.subscribeAsync(nodeTopic(B, "cmd"), { qos: 1 })).rejects.toThrow(/Not authorized/);
    await expect(reader.subscribeAsync("sw/v1/node/+/cmd", { qos: 1 })).rejects.toThrow(/Not authorized/);
    await expect(reader.subscribeAsync("#", { qos: 1 })).rejects.toThrow(/Not authorized/);
    await reader.subscribeAsync(nodeTopic(A, "cmd"), { qos: 1 });
    const seenByA: string[] = [];
    reader.on("message", (topic) => seenByA.push(topic));
    // As B, for the control (the simulated node B is knocked off meanwhile, and comes back below).
    const receiverB = await connectAs(asB.username, asB.password, 5, B);
    await receiverB.subscribeAsync(nodeTopic(B, "cmd"), { qos: 1 });
    const seenByB: string[] = [];
    receiverB.on("message", (topic) => seenByB.push(topic));
    const cloud = await connectAs(site.accounts.ingest.username, site.accounts.ingest.password, 5);
    await cloud.publishAsync(nodeTopic(B, "cmd"), '{"cmd":"self-test"}', { qos: 1 });
    await cloud.publishAsync(nodeTopic(A, "cmd"), '{"cmd":"self-test"}', { qos: 1 });
    await waitFor(() => seenByB.length === 1 && seenByA.length === 1, "each node's own command");
    expect(seenByA).toEqual([nodeTopic(A, "cmd")]);
    expect(seenByB).toEqual([nodeTopic(B, "cmd")]);
    // A node may not send itself commands either.
    await expect(reader.publishAsync(nodeTopic(A, "cmd"), "{}", { qos: 1 })).rejects.toThrow(/Not authorized/);
    await receiverB.endAsync();
    await reader.endAsync();
    for (let i = 0; i < 10 && !(await b.node.inspect()).connected; i++) {
      await b.node.advance(2000);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await online(b.node);
  });

  it("keeps the claim credential to its own provisioning topics and the cloud's ingest account out of broker administration", async () => {
    // C has not claimed yet: its claim identity is open, confined to C's own request and answer.
    const claimer = await connectAs(claimUsername(batchId), secret, 5, claimClientId(C));
    await expect(claimer.publishAsync(nodeTopic(A, "alarm"), encodeMessage({ ...alarm, node: A }), { qos: 1 })).rejects.toThrow(/Not authorized/);
    await expect(claimer.publishAsync(claimTopic("b-e2e-kind", C, "req"), "{}", { qos: 1 })).rejects.toThrow(/Not authorized/);
    await expect(claimer.publishAsync(claimTopic(batchId, B, "req"), "{}", { qos: 1 })).rejects.toThrow(/Not authorized/);
    await expect(claimer.subscribeAsync("#", { qos: 1 })).rejects.toThrow(/Not authorized/);
    await expect(claimer.subscribeAsync(claimTopic(batchId, C, "req"), { qos: 1 })).rejects.toThrow(/Not authorized/);
    await expect(claimer.subscribeAsync(nodeTopic(A, "cmd"), { qos: 1 })).rejects.toThrow(/Not authorized/);
    await expect(claimer.subscribeAsync(claimTopic(batchId, "+", "resp"), { qos: 1 })).rejects.toThrow(/Not authorized/);
    await expect(claimer.subscribeAsync(claimTopic("b-e2e-kind", C, "resp"), { qos: 1 })).rejects.toThrow(/Not authorized/);
    await claimer.subscribeAsync(claimTopic(batchId, C, "resp"), { qos: 1 });
    await claimer.endAsync();

    const ingest = await connectAs(site.accounts.ingest.username, site.accounts.ingest.password, 5);
    await expect(ingest.publishAsync("$CONTROL/dynamic-security/v1", '{"commands":[{"command":"listClients"}]}', { qos: 1 })).rejects.toThrow(/Not authorized/);
    await expect(ingest.subscribeAsync(claimTopic(batchId, "+", "req"), { qos: 1 })).rejects.toThrow(/Not authorized/);
    await expect(ingest.publishAsync(nodeTopic(A, "alarm"), encodeMessage({ ...alarm, node: A }), { qos: 1 })).rejects.toThrow(/Not authorized/);
  });

  it("a revoked node is cut off at once and cannot reconnect", async () => {
    const b = nodeB.node;
    expect((await b.inspect()).connected).toBe(true);
    const revoked = await revokeDevice(site.fleet, B);
    expect(revoked.state).toBe("revoked");
    await waitFor(async () => !(await b.inspect()).connected, "the broker to disconnect B", 3000);

    // The node keeps trying, with backoff; every attempt is refused.
    const refusals = () => nodeB.lines.filter((line) => line.includes("disconnected (Connection refused: Not authorized)")).length;
    for (let attempt = 1; attempt <= 3; attempt++) {
      await b.advance(65_000);
      await waitFor(() => refusals() >= attempt, `reconnect attempt ${attempt} to be refused`, 3000);
      expect((await b.inspect()).connected).toBe(false);
    }
    const asB = credentialsOf(B);
    await expect(mqtt.connectAsync(site.broker.url, { ...asB, clientId: B, protocolVersion: 5, reconnectPeriod: 0 })).rejects.toThrow(/Not authorized/);

    // Wiped and claimed again, it is refused for good.
    const again = await bootBlank(B);
    // Its claim identity was closed with it: the broker refuses it at the door, the cloud never hears it.
    expect(await again.logged(/claim connection lost/, "the refusal")).toMatch(/Not authorized/);
    const { nodes: listed } = await api<{ nodes: Array<{ id: string; online: boolean }> }>("/api/nodes");
    expect(listed.find((n) => n.id === B)?.online).toBe(false);
  });

  it("a factory reset and a re-claim work once staff release the device", async () => {
    const flash = new SimFlash();
    const c = await bootBlank(C, { flash });
    await online(c.node);
    const firstPassword = flash.get("mqttPass")!;

    // Holding the BOOT button 5 s wipes the identity; the node claims again at once.
    await c.node.setPins({ factoryReset: 0 });
    await c.node.advance(5000);
    await c.node.setPins({ factoryReset: 1 });
    expect(await c.logged(/factory reset/, "the reset")).toMatch(/forgetting this node's identity/);
    expect(flash.get("mqttPass")).toBeUndefined();
    // Its claim identity was retired when it first logged in as itself, so the broker refuses the
    // claim at the door: nobody holding the batch secret can claim an installed node's name.
    expect(await c.logged(/claim connection lost/, "the refusal")).toMatch(/Not authorized/);
    // Until released, its old credentials still stand: nobody else can take its name.
    expect((await findDevice(site.cloud.database.db, C))?.status).toBe("claimed");

    await releaseDevice(site.fleet, C);
    await advanceThroughClaims(c.node, 10 * 60_000);
    await waitFor(async () => (await c.node.inspect()).connected, "the re-claimed node online", 10_000);
    expect((await c.node.inspect()).nodeId).toBe(C);
    expect(flash.get("mqttPass")).not.toBe(firstPassword);
    await expect(mqtt.connectAsync(site.broker.url, { username: C, password: firstPassword, clientId: C, protocolVersion: 5, reconnectPeriod: 0 })).rejects.toThrow(/Not authorized/);
  });

  it("a blank capsule node claims, runs as a capsule under its own account, and an AED removed reaches the AED volunteer", async () => {
    const serial = "a4cf12000009";
    const { secret: capsuleSecret } = await createBatch(site.fleet, {
      id: "b-e2e-capsule",
      kind: "capsule",
      board: "esp32-devkitc",
      serials: [serial],
      expiresAt: Date.now() + DAY_MS,
    });
    const db = site.cloud.database.db;
    await seedSite(db);
    await createPlace(db, { id: "cap-1", parentId: "cp-1", level: "capsule", name: "Capsule at the north gate" }, 0);
    const staff = await fetch(`${site.cloud.url}/api/staff`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "AED volunteer", role: "aed-volunteer", scopes: ["cm-1"] }),
    });
    expect(staff.status).toBe(201);
    const volunteer = (await staff.json()) as { token: string };
    const sse = await openSse(`${site.cloud.url}/api/incidents/stream`, volunteer.token);
    await sse.next("ready");

    const config = capsuleNodeConfig("unclaimed");
    const lines: string[] = [];
    const node = await SimNode.boot({
      kind: "capsule",
      brokerUrl: site.broker.url,
      protocolVersion: 4,
      config,
      claim: { batch: "b-e2e-capsule", secret: capsuleSecret, serial },
      levels: { capsuleDoor: 0, aedCabinetDoor: 0, aedPresent: 0, cabinetNtc: ntcCounts(22, config.ntc), supplyVoltage: dividerCounts(13.4, config.supply.ratio) },
      onLog: (level, message) => lines.push(`${level}: ${message}`),
    });
    nodes.push(node);
    try {
      await online(node);
      expect((await node.inspect()).nodeId).toBe(serial);
      expect(await findDevice(db, serial)).toMatchObject({ status: "claimed", kind: "capsule" });
      const installed = await fetch(`${site.cloud.url}/api/fleet/installations`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ device: serial, placeId: "cap-1" }),
      });
      expect(installed.status).toBe(200);

      // Its heartbeat and events are published under its own prefix and accepted by the broker's ACL.
      await waitFor(async () => (await api<{ node: { kind: string | null; online: boolean } }>(`/api/nodes/${serial}`)).node.kind === "capsule", "the capsule's heartbeat");
      await waitFor(async () => (await api<{ capsules: Array<{ nodeId: string }> }>("/api/capsules")).capsules.some((c) => c.nodeId === serial), "the capsule's state");

      await node.setPins({ aedCabinetDoor: 1, aedPresent: 1 });
      await node.advance(1000);
      const notified = JSON.parse((await sse.next("notification")).data) as { purpose: string; incident: { hazard: string; severity: string; nodeId: string; placeId: string } };
      expect(notified).toMatchObject({ purpose: "notify", incident: { hazard: "aed-removed", severity: "urgent", nodeId: serial, placeId: "cap-1" } });
      await waitFor(async () => (await api<{ capsule: { aed: string } }>(`/api/capsules/${serial}`)).capsule.aed === "removed", "the capsule to show the AED removed");

      // A command reaches it on its own command topic and its ack comes back under its prefix.
      const sent = await fetch(`${site.cloud.url}/api/nodes/${serial}/commands`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ op: "display", text: "AED in use: help is on the way" }),
      });
      expect(sent.status).toBe(202);
      const { command } = (await sent.json()) as { command: { id: string } };
      const settled = await waitFor(async () => {
        const body = await api<{ command: { status: string } }>(`/api/nodes/${serial}/commands/${command.id}`);
        return body.command.status === "sent" ? null : body.command;
      }, "the display command's ack");
      expect(settled.status).toBe("ok");
      expect((await node.outputs()).display).toBe("AED in use: help is on the way");
    } finally {
      sse.close();
    }
  });
});
