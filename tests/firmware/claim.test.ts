import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ClaimSettings } from "../../firmware/provisioning/claim";
import { encodeClaimResponse, xorHex } from "../../shared/claim";
import { claimTopic } from "../../shared/topics";
import { XsScenario } from "../support/xs";

interface State {
  now: number;
  state: string;
  lastRefusal: string | null;
  attempts: number;
  calls: Array<{ op: string; options?: Record<string, unknown>; filter?: string; topic?: string; payload?: string; qos?: number }>;
  logs: string[];
  flash: Record<string, string>;
  claimed: { nodeId: string; username: string; password: string } | null;
  presses: number;
}

const settings: ClaimSettings = {
  batch: "b-test-01",
  secret: "batch-secret",
  serial: "a4cf12345678",
  board: "esp32-devkitc",
  kind: "sensor",
  firmwareVersion: "0.1.0-test",
  keepAliveMs: 30_000,
};
const REQ = claimTopic(settings.batch, settings.serial, "req");
const RESP = claimTopic(settings.batch, settings.serial, "resp");
const PAD = "ab".repeat(32);
const PASSWORD = "0123456789abcdef".repeat(4);

describe("claim (in XS)", () => {
  let xs: XsScenario;
  beforeAll(async () => {
    xs = await XsScenario.load(new URL("./xs/claim.ts", import.meta.url));
  });
  afterAll(() => xs.close());

  const step = async (request: Record<string, unknown>) => (await xs.call<State>(request)).value;
  const start = (flash?: Record<string, string>) => step({ op: "start", settings, flash, entropyByte: 0xab });
  const answer = (body: Record<string, unknown>) => step({ op: "message", topic: RESP, payload: encodeClaimResponse({ v: 1, serial: settings.serial, ...body } as never) });

  let first: State;
  beforeEach(async () => {
    first = await start();
  });

  it("connects with the batch's claim credential, subscribes to its own answer topic, then asks", async () => {
    expect(first.calls[0]).toEqual({
      op: "connect",
      options: { clientId: "claim-a4cf12345678", username: "claim-b-test-01", password: "batch-secret", keepAliveMs: 30_000 },
    });
    const after = await step({ op: "connected" });
    expect(after.calls.slice(1).map((c) => c.op)).toEqual(["subscribe", "publish"]);
    expect(after.calls[1].filter).toBe(RESP);
    const request = after.calls[2];
    expect(request.topic).toBe(REQ);
    expect(request.qos).toBe(1);
    expect(JSON.parse(request.payload!)).toEqual({ v: 1, serial: settings.serial, batch: settings.batch, board: "esp32-devkitc", kind: "sensor", firmware: "0.1.0-test", pad: PAD });
    expect(after.flash.claimPad).toBe(PAD);
    expect(after.state).toBe("waiting");
  });

  it("stores the unsealed credentials, forgets the pad and hands over the identity", async () => {
    await step({ op: "connected" });
    const done = await answer({ ok: true, nodeId: settings.serial, username: settings.serial, sealedPassword: xorHex(PASSWORD, PAD) });
    expect(done.state).toBe("claimed");
    expect(done.claimed).toEqual({ nodeId: settings.serial, username: settings.serial, password: PASSWORD });
    expect(done.flash).toEqual({ nodeId: settings.serial, mqttUser: settings.serial, mqttPass: PASSWORD });
    expect(done.calls.at(-1)!.op).toBe("close");
    expect(done.logs).toContain(`info: claimed: this node is ${settings.serial}`);
  });

  it("logs a refusal with the cloud's reason and asks again later with the same pad", async () => {
    await step({ op: "connected" });
    const refused = await answer({ ok: false, reason: "batch-used-up", message: "batch b-test-01 has claimed all 2 of its devices" });
    expect(refused.state).toBe("retrying");
    expect(refused.lastRefusal).toBe("batch-used-up");
    expect(refused.logs).toContain("error: claim refused (batch-used-up): batch b-test-01 has claimed all 2 of its devices");
    const early = await step({ op: "advance", ms: 5 * 60_000 });
    expect(early.attempts).toBe(1);
    const later = await step({ op: "advance", ms: 5 * 60_000 });
    expect(later.attempts).toBe(2);
    const asked = await step({ op: "connected" });
    expect(JSON.parse(asked.calls.at(-1)!.payload!).pad).toBe(PAD);
  });

  it("reuses an unanswered pad kept in flash across a reboot, so the cloud can recognise the retry", async () => {
    const kept = "cd".repeat(32);
    await start({ claimPad: kept });
    const asked = await step({ op: "connected" });
    expect(JSON.parse(asked.calls.at(-1)!.payload!).pad).toBe(kept);
  });

  it("logs a connection the broker refuses (a wrong claim secret) and backs off, doubling", async () => {
    const refused = await step({ op: "disconnected", reason: "Connection refused: Not authorized" });
    expect(refused.logs.at(-1)).toMatch(/claim connection lost: Connection refused: Not authorized \(the broker turned the batch credential down.*claim_secret/);
    expect((await step({ op: "advance", ms: 4999 })).attempts).toBe(1);
    expect((await step({ op: "advance", ms: 1 })).attempts).toBe(2);
    await step({ op: "disconnected", reason: "Connection refused: Not authorized" });
    expect((await step({ op: "advance", ms: 9999 })).attempts).toBe(2);
    expect((await step({ op: "advance", ms: 1 })).attempts).toBe(3);
  });

  it("asks again when no answer comes within 30 s, and ignores answers that are not its own or not valid", async () => {
    await step({ op: "connected" });
    await step({ op: "message", topic: RESP, payload: "{not json" });
    await step({ op: "message", topic: claimTopic(settings.batch, "000000000001", "resp"), payload: encodeClaimResponse({ v: 1, ok: false, serial: "000000000001", reason: "revoked", message: "x" }) });
    const waiting = await step({ op: "advance", ms: 29_999 });
    expect(waiting.state).toBe("waiting");
    expect(waiting.logs.some((line) => line.includes("not valid"))).toBe(true);
    const timedOut = await step({ op: "advance", ms: 1 });
    expect(timedOut.state).toBe("retrying");
    expect(timedOut.logs.at(-1)).toMatch(/no answer from the cloud/);
  });
});

describe("factory-reset button (in XS)", () => {
  let xs: XsScenario;
  beforeAll(async () => {
    xs = await XsScenario.load(new URL("./xs/claim.ts", import.meta.url));
  });
  afterAll(() => xs.close());
  const step = async (request: Record<string, unknown>) => (await xs.call<State>(request)).value;

  it("fires once after 5 s held, not on a short press, not while idle under its pull-up, and again after a release", async () => {
    await step({ op: "button", pin: 0 });
    expect((await step({ op: "advance", ms: 10_000 })).presses).toBe(0);
    await step({ op: "press", level: 0 });
    await step({ op: "advance", ms: 3000 });
    await step({ op: "press", level: 1 });
    await step({ op: "advance", ms: 1000 });
    await step({ op: "press", level: 0 });
    expect((await step({ op: "advance", ms: 4900 })).presses).toBe(0);
    expect((await step({ op: "advance", ms: 100 })).presses).toBe(1);
    expect((await step({ op: "advance", ms: 10_000 })).presses).toBe(1);
    await step({ op: "press", level: 1 });
    await step({ op: "advance", ms: 200 });
    await step({ op: "press", level: 0 });
    expect((await step({ op: "advance", ms: 5000 })).presses).toBe(2);
  });
});
