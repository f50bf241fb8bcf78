import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { XsScenario } from "../support/xs";

/**
 * The ESP32's MQTT wrapper (firmware/platform/esp32/ecma419-mqtt.ts) under the real link, inside
 * XS, against a model of the SDK's ECMA-419 client and a broker's sessions (xs/ecma419-model.ts).
 */
describe("ESP32 MQTT wrapper, in XS", () => {
  let xs: XsScenario;
  beforeAll(async () => {
    xs = await XsScenario.load(new URL("./xs/esp32-mqtt.ts", import.meta.url));
  });
  afterAll(() => xs.close());

  const run = async <T>(request: Record<string, unknown>) => {
    const { value } = await xs.call<T & { thrown?: string }>(request);
    expect(value.thrown).toBeUndefined();
    return value;
  };

  it("writes only what the client can take, and sends every alarm once, in order, when the socket drains", async () => {
    const result = await run<{
      throws: string[];
      overflows: number;
      afterConnect: number;
      order: string[];
      alarmValues: number[];
      alarmQos: number[];
      fragmented: number;
      subscribed: string[];
      end: { depth: number; inFlight: number; connected: boolean };
    }>({ case: "small-send-buffer", sendBufferBytes: 300 });
    // The wrapper before issue 13 wrote the whole window at once: the client threw "overflow" into the uplink.
    expect(result.throws).toEqual([]);
    expect(result.overflows).toBe(0);
    // 300 bytes take the retained status and part of the first alarm; the rest waits for onWritable.
    expect(result.afterConnect).toBeLessThan(3);
    expect(result.order).toEqual(["status", ...Array(8).fill("alarm")]);
    expect(result.alarmValues).toEqual([900, 901, 902, 903, 904, 905, 990, 991]);
    expect(result.alarmQos).toEqual([1]);
    // A packet larger than the room left goes in fragments rather than waiting for a room it may never get.
    expect(result.fragmented).toBeGreaterThan(0);
    expect(result.subscribed).toEqual(["sw/v1/node/smoke-esp32/cmd", "sw/v1/node/smoke-esp32/cmd/stored"]);
    expect(result.end).toEqual({ depth: 0, inFlight: 0, connected: true });
  });

  it("closes a connection from its own onMessage without closing the socket under the SDK's parser (a claim's answer)", async () => {
    const during = await run<{ threw: string | null; received: string[]; clients: number; claimStateNow: string }>({ case: "close-on-message" });
    // The wrapper before closed the client at once: the SDK's parser then read a freed socket, and XS aborted.
    expect(during.threw).toBeNull();
    expect(during.received).toEqual(['{"ok":true}']);
    expect(during.clients).toBe(2);
    expect(during.claimStateNow).toBe("connected");
    expect(await run({ case: "close-on-message-after" })).toEqual({ claimState: "closed", nodeState: "connecting" });
  });

  it("keeps the broker's session, so a command sent while the node was offline arrives when it is back", async () => {
    const result = await run<{
      whileOnline: string[];
      afterReconnect: string[];
      disconnected: boolean;
      reconnected: number;
      connects: Array<{ id: string; clean: boolean }>;
    }>({ case: "command-while-offline" });
    expect(result.whileOnline).toEqual(['{"id":"c1","op":"selfTest"}']);
    expect(result.disconnected).toBe(true);
    expect(result.reconnected).toBe(2);
    // With a clean session (the wrapper before this change) the broker forgot the node, and c2 was lost.
    expect(result.afterReconnect).toEqual(['{"id":"c1","op":"selfTest"}', '{"id":"c2","op":"selfTest"}']);
    expect(result.connects).toEqual([
      { id: "smoke-esp32", clean: false },
      { id: "smoke-esp32", clean: false },
      { id: "claim-0001", clean: true },
    ]);
  });
});
