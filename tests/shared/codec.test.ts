import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeNodeMessage, encodeMessage } from "../../shared/codec";
import { nodeTopic, parseUplinkTopic, uplinkFilters } from "../../shared/topics";
import { alarm, faultAlarm, malformed, topic } from "../support/messages";
import { XsScenario } from "../support/xs";

describe("topics", () => {
  it("puts every node topic under a prefix holding the node id", () => {
    expect(nodeTopic("smoke-001", "alarm")).toBe("sw/v1/node/smoke-001/alarm");
    expect(parseUplinkTopic("sw/v1/node/smoke-001/alarm")).toEqual({ nodeId: "smoke-001", channel: "alarm" });
    expect(uplinkFilters()).toContain("sw/v1/node/+/alarm");
  });

  it("refuses topics that are not exactly a node uplink", () => {
    for (const bad of ["sw/v2/node/smoke-001/alarm", "sw/v1/node/SMOKE/alarm", "sw/v1/node/smoke-001/alarm/x", "sw/v1/node/+/alarm", "sw/v1/node/a/alarm"]) {
      expect(parseUplinkTopic(bad), bad).toBeNull();
    }
  });
});

describe("codec", () => {
  it("round-trips a message", () => {
    const decoded = decodeNodeMessage(topic, encodeMessage(alarm));
    expect(decoded).toEqual({ ok: true, message: alarm });
  });

  it("round-trips a sensor fault with its detector state", () => {
    expect(decodeNodeMessage(topic, encodeMessage(faultAlarm))).toEqual({ ok: true, message: faultAlarm });
  });

  it.each(malformed)("rejects %s", (_name, onTopic, text, reason) => {
    const decoded = decodeNodeMessage(onTopic, text);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) {
      expect(decoded.reason).toBe(reason);
      expect(decoded.detail.length).toBeGreaterThan(5);
    }
  });

  describe("inside XS", () => {
    let xs: XsScenario;
    beforeAll(async () => {
      xs = await XsScenario.load(new URL("../firmware/xs/codec.ts", import.meta.url));
    });
    afterAll(() => xs.close());

    it("decodes and encodes exactly as Node does", async () => {
      const cases = [{ topic, text: encodeMessage(alarm) }, { topic, text: encodeMessage(faultAlarm) }, ...malformed.map(([, t, text]) => ({ topic: t, text }))];
      const { value } = await xs.call<{ decoded: unknown[]; encoded: string[] }>({ decode: cases, encode: [alarm] });
      // JSON.parse's own wording differs between engines; everything else must match exactly.
      const comparable = (result: any) => (result.reason === "malformed-json" ? { ...result, detail: "(engine's words)" } : result);
      expect(value.decoded.map(comparable)).toEqual(cases.map((c) => comparable(decodeNodeMessage(c.topic, c.text))));
      expect(value.encoded).toEqual([encodeMessage(alarm)]);
    });
  });
});
