import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createBatch, type FleetDeps } from "../../cloud/fleet/batches";
import { decideClaim, type ClaimAnswer } from "../../cloud/fleet/claims";
import { hashSecret } from "../../cloud/fleet/credentials";
import { releaseDevice, revokeDevice } from "../../cloud/fleet/devices";
import { findDevice } from "../../cloud/fleet/queries";
import { upsertSightingsSql } from "../../cloud/nodes/queries";
import { encodeClaimRequest, xorHex, type ClaimRequest } from "../../shared/claim";
import { claimTopic } from "../../shared/topics";
import { testCloud, type TestCloud } from "../support/cloud";
import { MemoryAccounts } from "../support/fake-accounts";

const DAY_MS = 86_400_000;

describe("claim decisions", () => {
  let cloud: TestCloud;
  let accounts: MemoryAccounts;
  let fleet: FleetDeps;

  beforeEach(async () => {
    cloud = await testCloud();
    accounts = new MemoryAccounts();
    fleet = { db: cloud.database.db, accounts, now: () => cloud.clock.now };
    await createBatch(fleet, { id: "b-list", kind: "sensor", board: "esp32-devkitc", serials: ["a4cf12000001", "A4:CF:12:00:00:02"], expiresAt: cloud.clock.now + DAY_MS });
    await createBatch(fleet, { id: "b-other", kind: "sensor", board: "esp32-devkitc", serials: ["a4cf12000001", "a4cf13000001"], expiresAt: cloud.clock.now + DAY_MS });
  });
  afterEach(() => cloud.database.close());

  const request = (serial: string, overrides: Partial<ClaimRequest> = {}): ClaimRequest => ({
    v: 1,
    serial,
    batch: "b-list",
    board: "esp32-devkitc",
    kind: "sensor",
    firmware: "0.1.0",
    pad: randomBytes(32).toString("hex"),
    ...overrides,
  });
  const claim = (body: ClaimRequest, text = encodeClaimRequest(body)): Promise<ClaimAnswer | null> =>
    decideClaim({ db: cloud.database.db, accounts, log: cloud.log, now: () => cloud.clock.now }, claimTopic(body.batch, body.serial, "req"), text);
  const reason = async (body: ClaimRequest) => {
    const decided = await claim(body);
    return decided?.answer.ok === false ? decided.answer.reason : "granted";
  };

  it("grants a first claim: unique credentials, sealed with the node's pad, kept hashed, registered with the broker", async () => {
    const body = request("a4cf12000001");
    const decided = (await claim(body))!;
    expect(decided.topic).toBe(claimTopic("b-list", "a4cf12000001", "resp"));
    if (!decided.answer.ok) throw new Error(decided.answer.message);
    expect(decided.answer).toMatchObject({ nodeId: "a4cf12000001", username: "a4cf12000001" });
    const password = xorHex(decided.answer.sealedPassword, body.pad);
    expect(accounts.nodes.get("a4cf12000001")).toBe(hashSecret(password));
    const device = await findDevice(cloud.database.db, "a4cf12000001");
    expect(device).toMatchObject({ status: "claimed", batchId: "b-list", credentialHash: hashSecret(password), claimPadHash: hashSecret(body.pad) });
    expect(JSON.stringify(device)).not.toContain(password);
    const second = (await claim(request("a4cf12000002")))!;
    if (!second.answer.ok) throw new Error(second.answer.message);
    expect(accounts.nodes.get("a4cf12000002")).not.toBe(hashSecret(password));
  });

  it("refuses, each with its reason: malformed, unknown batch, wrong kind or board, serial not listed, expired", async () => {
    const body = request("a4cf12000001");
    expect((await claim(body, "{not json"))?.answer).toMatchObject({ ok: false, reason: "malformed-request" });
    expect((await claim(body, encodeClaimRequest({ ...body, pad: "short" })))?.answer).toMatchObject({ ok: false, reason: "malformed-request", message: expect.stringMatching(/pad/) });
    expect(await reason(request("a4cf12000001", { batch: "b-nope" }))).toBe("unknown-batch");
    expect(await reason(request("a4cf12000001", { kind: "capsule" }))).toBe("batch-mismatch");
    expect(await reason(request("a4cf12000001", { board: "esp32-s3-devkitc-1" }))).toBe("batch-mismatch");
    expect(await reason(request("a4cf12000009"))).toBe("serial-not-in-batch");
    cloud.clock.now += DAY_MS;
    expect(await reason(request("a4cf12000002"))).toBe("batch-expired");
    // Nothing refused left a device or broker account behind.
    expect(await findDevice(cloud.database.db, "a4cf12000009")).toBeNull();
    expect(accounts.nodes.size).toBe(0);
  });

  it("grants a serial once, however many claims for it arrive at once", async () => {
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => reason(request("a4cf12000001"))));
    expect(outcomes.filter((o) => o === "granted")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "already-claimed")).toHaveLength(19);
  });

  it("answers the same request again with fresh credentials while the node has not yet come online", async () => {
    const body = request("a4cf12000001");
    const first = (await claim(body))!.answer;
    const again = (await claim(body))!.answer;
    if (!first.ok || !again.ok) throw new Error("both must be granted");
    const password = xorHex(again.sealedPassword, body.pad);
    expect(password).not.toBe(xorHex(first.sealedPassword, body.pad));
    expect(accounts.nodes.get("a4cf12000001")).toBe(hashSecret(password));
    expect((await findDevice(cloud.database.db, "a4cf12000001"))!.credentialHash).toBe(hashSecret(password));

    // Once it has spoken as itself, a replayed copy changes nothing.
    cloud.clock.now += 1000;
    await cloud.database.client.execute(upsertSightingsSql([{ nodeId: "a4cf12000001", bootId: 1, at: cloud.clock.now, onlineIfNew: true }]));
    expect(await reason(body)).toBe("already-claimed");
    expect(accounts.nodes.get("a4cf12000001")).toBe(hashSecret(password));
  });

  it("refuses another claim of a claimed serial until staff release it; a revoked serial never comes back", async () => {
    await claim(request("a4cf12000001"));
    const taken = (await claim(request("a4cf12000001")))!.answer;
    expect(taken).toMatchObject({ ok: false, reason: "already-claimed", message: expect.stringMatching(/npx shouwang release a4cf12000001/) });

    await releaseDevice(fleet, "a4cf12000001");
    expect(accounts.nodes.has("a4cf12000001")).toBe(false);
    // Its claim identity is open again on the broker, for a week at least.
    expect(accounts.claims.get("a4cf12000001")).toMatchObject({ batchId: "b-list", expiresAt: cloud.clock.now + 7 * DAY_MS });
    cloud.clock.now += 2 * DAY_MS; // a release re-arms the serial even after the batch's first-claim window
    expect(await reason(request("a4cf12000001"))).toBe("granted");
    expect((await findDevice(cloud.database.db, "a4cf12000001"))?.status).toBe("claimed");

    await revokeDevice(fleet, "a4cf12000001");
    expect(accounts.nodes.has("a4cf12000001")).toBe(false);
    expect(accounts.claims.has("a4cf12000001")).toBe(false);
    expect(await reason(request("a4cf12000001"))).toBe("revoked");
    // Through another batch too.
    expect(await reason(request("a4cf12000001", { batch: "b-other" }))).toBe("revoked");
  });

  it("a claimed device claims again only through its own batch", async () => {
    await claim(request("a4cf12000001"));
    await releaseDevice(fleet, "a4cf12000001");
    expect(await reason(request("a4cf12000001", { batch: "b-other" }))).toBe("already-claimed");
  });

  it("says 'unavailable' when the broker cannot be reached, and grants the node's retry once it can", async () => {
    const body = request("a4cf12000001");
    accounts.failing = true;
    expect(await reason(body)).toBe("unavailable");
    expect(cloud.log.lines.some((line) => line.includes("could not register"))).toBe(true);
    accounts.failing = false;
    expect(await reason(body)).toBe("granted");
    expect(accounts.nodes.has("a4cf12000001")).toBe(true);
  });

  it("does not answer a topic that names no serial", async () => {
    const decided = await decideClaim({ db: cloud.database.db, accounts, log: cloud.log, now: () => 0 }, "sw/v1/claim/b-list/NOT-A-SERIAL/req", "{}");
    expect(decided).toBeNull();
  });
});
