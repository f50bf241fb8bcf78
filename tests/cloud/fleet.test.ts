import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { claimSecretMatches, createBatch, flashCommand, type FleetDeps } from "../../cloud/fleet/batches";
import { decideClaim } from "../../cloud/fleet/claims";
import { hashSecret } from "../../cloud/fleet/credentials";
import { deviceRows, revokeDevice } from "../../cloud/fleet/devices";
import { FleetError } from "../../cloud/fleet/fleet-error";
import { labelPayload, labelsCsv, serialFromReference } from "../../cloud/fleet/labels";
import { findBatch, listBatches } from "../../cloud/fleet/queries";
import { createPlace } from "../../cloud/places/queries";
import { encodeClaimRequest } from "../../shared/claim";
import { claimTopic } from "../../shared/topics";
import { testCloud, type TestCloud } from "../support/cloud";
import { MemoryAccounts } from "../support/fake-accounts";

const DAY_MS = 86_400_000;

describe("batches", () => {
  let cloud: TestCloud;
  let accounts: MemoryAccounts;
  let fleet: FleetDeps;
  beforeEach(async () => {
    cloud = await testCloud();
    accounts = new MemoryAccounts();
    fleet = { db: cloud.database.db, accounts, now: () => cloud.clock.now };
  });
  afterEach(() => cloud.database.close());

  it("creates a batch with a claim identity on the broker for each of its serials and keeps only the secret's hash", async () => {
    const serials = ["A4:CF:12:00:00:02", "a4cf12000001"];
    const expiresAt = cloud.clock.now + DAY_MS;
    const { batch, secret } = await createBatch(fleet, { kind: "capsule", board: "esp32-s3-devkitc-1", serials, expiresAt, note: "first run" });
    expect(batch.id).toMatch(/^b20261125-[a-z2-9]{4}$/);
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(accounts.claimsOf(batch.id)).toEqual(["a4cf12000001", "a4cf12000002"]);
    // The broker gets the hash, never the secret itself.
    expect(accounts.claims.get("a4cf12000001")).toEqual({ batchId: batch.id, secretHash: hashSecret(secret), expiresAt });
    expect(batch.claimSecretHash).toBe(hashSecret(secret));
    expect(claimSecretMatches(batch, secret)).toBe(true);
    expect(claimSecretMatches(batch, "0".repeat(64))).toBe(false);
    expect(await listBatches(cloud.database.db)).toEqual([expect.objectContaining({ id: batch.id, maxDevices: null, claimed: 0 })]);
  });

  it("refuses what cannot be a batch, with the reason", async () => {
    const expiresAt = cloud.clock.now + DAY_MS;
    const refusal = (spec: Parameters<typeof createBatch>[1]) => createBatch(fleet, spec).then(() => "created", (error: FleetError) => error.message);
    expect(await refusal({ kind: "toaster", board: "esp32-devkitc", serials: ["a4cf12000001"], expiresAt })).toMatch(/kind must be one of sensor, elevator, capsule/);
    expect(await refusal({ kind: "sensor", board: "esp8266", serials: ["a4cf12000001"], expiresAt })).toMatch(/board must be one of esp32-devkitc, esp32-s3-devkitc-1/);
    expect(await refusal({ kind: "sensor", board: "esp32-devkitc", expiresAt } as never)).toMatch(/give the list of serials/);
    expect(await refusal({ kind: "sensor", board: "esp32-devkitc", serials: [], expiresAt })).toMatch(/the serial list is empty/);
    expect(await refusal({ kind: "sensor", board: "esp32-devkitc", serials: ["a4cf12000001", "not-a-mac"], expiresAt })).toMatch(/serial #2 "not-a-mac"/);
    expect(await refusal({ kind: "sensor", board: "esp32-devkitc", serials: ["a4cf12000001"], expiresAt: cloud.clock.now - 1 })).toMatch(/expire in the future/);
    expect(await refusal({ id: "Bad Id", kind: "sensor", board: "esp32-devkitc", serials: ["a4cf12000001"], expiresAt })).toMatch(/batch id must match/);
    await createBatch(fleet, { id: "b-one", kind: "sensor", board: "esp32-devkitc", serials: ["a4cf12000001"], expiresAt });
    expect(await refusal({ id: "b-one", kind: "sensor", board: "esp32-devkitc", serials: ["a4cf12000001"], expiresAt })).toMatch(/exists already/);
    accounts.failing = true;
    expect(await refusal({ id: "b-two", kind: "sensor", board: "esp32-devkitc", serials: ["a4cf12000001"], expiresAt })).toMatch(/b-two was not created: broker unreachable/);
    expect(await findBatch(cloud.database.db, "b-two")).toBeNull();
  });

  it("prints the mcconfig command for the batch's board, kind and credential", async () => {
    const { batch } = await createBatch(fleet, { id: "b-s3", kind: "elevator", board: "esp32-s3-devkitc-1", serials: ["a4cf12000003"], expiresAt: cloud.clock.now + DAY_MS });
    expect(flashCommand(batch, { mqttHost: "mqtt.site.example", mqttPort: 1883 })).toBe(
      'mcconfig -m -p esp32/esp32s3 ./firmware/kinds/elevator/manifest.json claim_batch=b-s3 claim_secret="$SW_CLAIM_SECRET" mqtt_host=mqtt.site.example mqtt_port=1883 ssid="$WIFI_SSID" password="$WIFI_PASSWORD"',
    );
  });

  it("lists pending serials beside claimed devices", async () => {
    await createBatch(fleet, { id: "b-list", kind: "sensor", board: "esp32-devkitc", serials: ["a4cf12000001", "a4cf12000002"], expiresAt: cloud.clock.now + DAY_MS });
    const pad = "ab".repeat(32);
    await decideClaim(
      { db: cloud.database.db, accounts, log: cloud.log, now: () => cloud.clock.now },
      claimTopic("b-list", "a4cf12000002", "req"),
      encodeClaimRequest({ v: 1, serial: "a4cf12000002", batch: "b-list", board: "esp32-devkitc", kind: "sensor", firmware: "0.1.0", pad }),
    );
    const rows = await deviceRows(cloud.database.db, "b-list");
    expect(rows.map((row) => [row.serial, row.state])).toEqual([
      ["a4cf12000001", "pending"],
      ["a4cf12000002", "claimed"],
    ]);
    await expect(deviceRows(cloud.database.db, "b-nope")).rejects.toThrow(/no batch b-nope/);
  });
});

describe("labels", () => {
  it("carries serial and kind in a QR payload with a check, and reads serials however they are given", () => {
    const payload = labelPayload("a4cf12000001", "capsule");
    expect(payload).toMatch(/^SW1:A4CF12000001:CAPSULE:[0-9A-F]{4}$/);
    expect(payload).toMatch(/^[0-9A-Z $%*+\-./:]+$/); // QR alphanumeric mode
    expect(serialFromReference(payload)).toBe("a4cf12000001");
    expect(serialFromReference(` ${payload.toLowerCase()} `)).toBe("a4cf12000001");
    expect(serialFromReference("A4:CF:12:00:00:01")).toBe("a4cf12000001");
    expect(serialFromReference("a4cf12000001")).toBe("a4cf12000001");
    const damaged = payload.replace("00001", "00007");
    expect(() => serialFromReference(damaged)).toThrow(/does not check out/);
    expect(() => serialFromReference("hello")).toThrow(/neither a serial .* nor a device label/);
  });

  it("exports CSV with the QR payload per device", () => {
    const csv = labelsCsv([{ serial: "a4cf12000001", kind: "sensor", board: "esp32-devkitc", batch: "b-1", state: "pending" }]);
    const [header, row] = csv.trimEnd().split("\r\n");
    expect(header).toBe("serial,kind,board,batch,state,qr");
    expect(row).toBe(`a4cf12000001,sensor,esp32-devkitc,b-1,pending,${labelPayload("a4cf12000001", "sensor")}`);
  });
});

describe("installation API", () => {
  let cloud: TestCloud;
  let fleet: FleetDeps;
  beforeEach(async () => {
    cloud = await testCloud();
    fleet = { db: cloud.database.db, accounts: new MemoryAccounts(), now: () => cloud.clock.now };
    const db = cloud.database.db;
    await createPlace(db, { id: "st-1", parentId: null, level: "street", name: "Xinhua Street" }, 0);
    await createPlace(db, { id: "cm-1", parentId: "st-1", level: "community", name: "Heping" }, 0);
    await createPlace(db, { id: "cp-1", parentId: "cm-1", level: "compound", name: "No. 3" }, 0);
    await createPlace(db, { id: "bd-1", parentId: "cp-1", level: "building", name: "Building 1" }, 0);
    await createPlace(db, { id: "fl-3", parentId: "bd-1", level: "floor", name: "Floor 3" }, 0);
    await createPlace(db, { id: "el-a", parentId: "bd-1", level: "elevator", name: "Elevator A" }, 0);
    await createBatch(fleet, { id: "b-1", kind: "sensor", board: "esp32-devkitc", serials: ["a4cf12000001", "a4cf12000002"], expiresAt: cloud.clock.now + DAY_MS });
    for (const serial of ["a4cf12000001", "a4cf12000002"]) {
      await decideClaim(
        { db, accounts: fleet.accounts, log: cloud.log, now: () => cloud.clock.now },
        claimTopic("b-1", serial, "req"),
        encodeClaimRequest({ v: 1, serial, batch: "b-1", board: "esp32-devkitc", kind: "sensor", firmware: "0.1.0", pad: "cd".repeat(32) }),
      );
    }
  });
  afterEach(() => cloud.database.close());

  const post = (body: unknown, token = cloud.token) =>
    cloud.app.request("/api/fleet/installations", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });

  it("installs a claimed device by its scanned label, and by serial", async () => {
    const byLabel = await post({ device: labelPayload("a4cf12000001", "sensor"), placeId: "fl-3" });
    expect(byLabel.status).toBe(200);
    expect((await byLabel.json()).device).toMatchObject({ serial: "a4cf12000001", placeId: "fl-3", placePath: "st-1/cm-1/cp-1/bd-1/fl-3/" });
    expect((await post({ device: "A4:CF:12:00:00:02", placeId: "bd-1" })).status).toBe(200);
    const looked = await cloud.get(`/api/fleet/devices/${encodeURIComponent(labelPayload("a4cf12000001", "sensor"))}`);
    expect((await looked.json()).device).toMatchObject({ serial: "a4cf12000001", kind: "sensor", state: "claimed", placeId: "fl-3" });
    const { nodes } = (await (await cloud.get("/api/nodes")).json()) as { nodes: Array<{ id: string }> };
    expect(nodes.map((n) => n.id).sort()).toEqual(["a4cf12000001", "a4cf12000002"]);
  });

  it("answers what is wrong, with the right status", async () => {
    const cases: Array<[unknown, number, RegExp]> = [
      ["{nope", 400, /Send JSON/],
      [{ device: 7, placeId: "fl-3" }, 400, /must both be strings/],
      [{ device: "hello", placeId: "fl-3" }, 400, /neither a serial/],
      [{ device: "a4cf12000099", placeId: "fl-3" }, 404, /no device a4cf12000099/],
      [{ device: "a4cf12000001", placeId: "nowhere" }, 404, /no place nowhere/],
      [{ device: "a4cf12000001", placeId: "el-a" }, 422, /a sensor node goes on a building or floor, and el-a \(Elevator A\) is a elevator/],
    ];
    for (const [body, status, message] of cases) {
      const response = await post(body);
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect((await response.json()).message).toMatch(message);
    }
    await revokeDevice(fleet, "a4cf12000002");
    const revoked = await post({ device: "a4cf12000002", placeId: "fl-3" });
    expect(revoked.status).toBe(409);
    expect((await post({ device: "a4cf12000001", placeId: "fl-3" }, "wrong-token")).status).toBe(401);
  });
});
