import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeCommand } from "../../shared/commands";
import { decodeNodeMessage } from "../../shared/codec";
import { commandCases, deviceCases } from "../support/device-messages";
import { XsScenario } from "../support/xs";

describe("elevator and capsule messages", () => {
  it.each(deviceCases)("%s", (_name, topic, text, reason) => {
    const decoded = decodeNodeMessage(topic, text);
    if (reason === null) expect(decoded).toEqual({ ok: true, message: JSON.parse(text) });
    else expect(decoded).toMatchObject({ ok: false, reason });
  });

  it.each(commandCases)("command: %s", (_name, text, ok) => {
    const decoded = decodeCommand(text);
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
      const { value } = await xs.call<{ messages: unknown[]; commands: unknown[] }>({ messages, commands });
      expect(value.messages).toEqual(messages.map((m) => decodeNodeMessage(m.topic, m.text)));
      expect(value.commands).toEqual(commands.map((text) => decodeCommand(text)));
    });
  });
});
