import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeCommand, decodeNodeMessage } from "../../shared/codec";
import { commandCases, commandTopic, deviceCases } from "../support/device-messages";
import { XsScenario } from "../support/xs";

describe("elevator and capsule messages", () => {
  it.each(deviceCases)("%s", (_name, topic, text, reason) => {
    const decoded = decodeNodeMessage(topic, text);
    if (reason === null) expect(decoded).toEqual({ ok: true, message: JSON.parse(text) });
    else expect(decoded).toMatchObject({ ok: false, reason });
  });

  it.each(commandCases)("command: %s", (_name, text, ok) => {
    const decoded = decodeCommand(commandTopic, text, "lift-001");
    expect(decoded.ok).toBe(ok);
    if (!decoded.ok) expect(decoded.detail.length).toBeGreaterThan(5);
  });

  describe("inside XS", () => {
    let xs: XsScenario;
    beforeAll(async () => {
      xs = await XsScenario.load(new URL("../firmware/xs/device-protocol.ts", import.meta.url));
    });
    afterAll(() => xs.close());

    it("decodes events, acks and commands exactly as Node does", async () => {
      const messages = deviceCases.map(([, topic, text]) => ({ topic, text }));
      const commands = commandCases.map(([, text]) => text);
      const { value } = await xs.call<{ messages: unknown[]; commands: unknown[] }>({ messages, commands, topic: commandTopic, self: "lift-001" });
      // JSON.parse's own message differs between engines; the decision must not.
      const comparable = (result: any) => (result.reason === "malformed-json" ? { ...result, detail: "(engine's words)" } : result);
      expect(value.messages.map(comparable)).toEqual(messages.map((m) => comparable(decodeNodeMessage(m.topic, m.text))));
      expect(value.commands.map(comparable)).toEqual(commands.map((text) => comparable(decodeCommand(commandTopic, text, "lift-001"))));
    });
  });
});
