import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeCommand, decodeNodeMessage, encodeCommand, encodeMessage } from "../../shared/codec";
import type { CommandMessage } from "../../shared/messages";
import { nodeTopic, parseCommandTopic, parseUplinkTopic } from "../../shared/topics";
import { ack, event, health, malformedLink, online } from "../support/link-messages";
import { XsScenario } from "../support/xs";

const cmdTopic = nodeTopic("smoke-001", "cmd");
const reboot: CommandMessage = { v: 1, type: "command", id: "c-1", node: "smoke-001", op: "reboot" };

/** [name, topic, text, reason]: commands the node must refuse, still able to ack by id where there is one. */
const badCommands: Array<[string, string, string, string]> = [
  ["not JSON", cmdTopic, "{reboot", "malformed-json"],
  ["for another node", cmdTopic, encodeCommand({ ...reboot, node: "smoke-002" }), "wrong-node"],
  ["on another node's topic", nodeTopic("smoke-002", "cmd"), encodeCommand(reboot), "wrong-node"],
  ["an unknown op", cmdTopic, JSON.stringify({ ...reboot, op: "self-destruct" }), "invalid-field"],
  ["without an id", cmdTopic, JSON.stringify({ ...reboot, id: undefined }), "invalid-field"],
  ["a config that is not numbers", cmdTopic, JSON.stringify({ ...reboot, op: "config", config: { telemetryIntervalMs: "fast" } }), "invalid-field"],
  ["a config with nothing in it", cmdTopic, JSON.stringify({ ...reboot, op: "config", config: {} }), "invalid-field"],
  ["a relay test of an hour", cmdTopic, JSON.stringify({ ...reboot, op: "relay-test", durationMs: 3_600_000 }), "invalid-field"],
  ["display text too long", cmdTopic, JSON.stringify({ ...reboot, op: "display", text: "x".repeat(500) }), "invalid-field"],
  ["another protocol version", cmdTopic, JSON.stringify({ ...reboot, v: 2 }), "unknown-version"],
];

describe("link messages: health, event, ack, status", () => {
  it("have their own uplink channels under the node's prefix", () => {
    for (const channel of ["health", "event", "ack"] as const) {
      expect(parseUplinkTopic(nodeTopic("smoke-001", channel))).toEqual({ nodeId: "smoke-001", channel });
    }
    expect(parseCommandTopic(cmdTopic)).toBe("smoke-001");
    expect(parseCommandTopic("sw/v1/node/smoke-001/alarm")).toBeNull();
    expect(parseUplinkTopic(cmdTopic)).toBeNull();
  });

  it.each([health, event, ack, online])("round-trips a $type message", (message) => {
    const channel = message.type as "health" | "event" | "ack" | "status";
    expect(decodeNodeMessage(nodeTopic("smoke-001", channel), encodeMessage(message))).toEqual({ ok: true, message });
  });

  it.each(malformedLink)("rejects %s", (_name, onTopic, text, reason) => {
    const decoded = decodeNodeMessage(onTopic, text);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.reason).toBe(reason);
  });
});

describe("commands", () => {
  it("decodes a command addressed to this node on its own topic", () => {
    const config: CommandMessage = { ...reboot, op: "config", config: { telemetryIntervalMs: 30_000, "smoke.holdSamples": 4 } };
    expect(decodeCommand(cmdTopic, encodeCommand(config), "smoke-001")).toEqual({ ok: true, command: config });
  });

  it.each(badCommands)("refuses %s, keeping what it could read to ack with", (_name, onTopic, text, reason) => {
    const decoded = decodeCommand(onTopic, text, "smoke-001");
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) {
      expect(decoded.reason).toBe(reason);
      if (text.includes('"id":"c-1"')) expect(decoded.id).toBe("c-1");
    }
  });

  describe("inside XS", () => {
    let xs: XsScenario;
    beforeAll(async () => {
      xs = await XsScenario.load(new URL("../firmware/xs/codec.ts", import.meta.url));
    });
    afterAll(() => xs.close());

    it("decide exactly as Node does", async () => {
      const link = [health, event, ack, online].map((m) => ({ topic: nodeTopic("smoke-001", m.type as "health"), text: encodeMessage(m) }));
      const cases = [...link, ...malformedLink.map(([, topic, text]) => ({ topic, text }))];
      const commands = [{ topic: cmdTopic, text: encodeCommand(reboot), self: "smoke-001" }, ...badCommands.map(([, topic, text]) => ({ topic, text, self: "smoke-001" }))];
      const { value } = await xs.call<{ decoded: unknown[]; commands: unknown[] }>({ decode: cases, commands });
      const comparable = (result: any) => (result.reason === "malformed-json" ? { ...result, detail: "(engine's words)" } : result);
      expect(value.decoded.map(comparable)).toEqual(cases.map((c) => comparable(decodeNodeMessage(c.topic, c.text))));
      expect(value.commands.map(comparable)).toEqual(commands.map((c) => comparable(decodeCommand(c.topic, c.text, c.self))));
    });
  });
});
