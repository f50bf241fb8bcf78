import { describe, expect, it } from "vitest";
import { decodeClaimRequest, decodeClaimResponse, encodeClaimRequest, serialFromMac, xorHex, type ClaimRequest } from "../../shared/claim";
import { claimRequestFilter, claimTopic, parseClaimRequestTopic } from "../../shared/topics";

const request: ClaimRequest = { v: 1, serial: "a4cf12000001", batch: "b-1", board: "esp32-devkitc", kind: "sensor", firmware: "0.1.0", pad: "0f".repeat(32) };
const topic = claimTopic("b-1", "a4cf12000001", "req");

describe("claim topics", () => {
  it("puts a claim under its batch and serial, and parses nothing else", () => {
    expect(topic).toBe("sw/v1/claim/b-1/a4cf12000001/req");
    expect(claimRequestFilter()).toBe("sw/v1/claim/+/+/req");
    expect(parseClaimRequestTopic(topic)).toEqual({ batchId: "b-1", serial: "a4cf12000001" });
    for (const bad of ["sw/v1/claim/b-1/a4cf12000001/resp", "sw/v1/claim/b-1/req", "sw/v2/claim/b-1/x/req", "sw/v1/node/x/alarm"]) expect(parseClaimRequestTopic(bad), bad).toBeNull();
  });
});

describe("claim codec", () => {
  it("accepts a well-formed request on its own topic", () => {
    expect(decodeClaimRequest(topic, encodeClaimRequest(request))).toEqual({ ok: true, value: request });
  });

  it.each([
    ["serial not matching the topic", { ...request, serial: "a4cf12000002" }, /match the topic/],
    ["upper-case serial", { ...request, serial: "A4CF12000001" }, /serial/],
    ["unknown kind", { ...request, kind: "toaster" }, /kind/],
    ["short pad", { ...request, pad: "00" }, /pad/],
    ["wrong version", { ...request, v: 2 }, /version/],
  ])("refuses a request with %s", (_name, body, detail) => {
    const decoded = decodeClaimRequest(topic, JSON.stringify(body));
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.detail).toMatch(detail);
  });

  it("validates answers as the node receives them", () => {
    expect(decodeClaimResponse(JSON.stringify({ v: 1, ok: false, serial: "a4cf12000001", reason: "revoked", message: "x" })).ok).toBe(true);
    expect(decodeClaimResponse(JSON.stringify({ v: 1, ok: false, serial: "a4cf12000001", reason: "because", message: "x" })).ok).toBe(false);
    expect(decodeClaimResponse(JSON.stringify({ v: 1, ok: true, serial: "a4cf12000001", nodeId: "a4cf12000001", username: "a4cf12000001", sealedPassword: "zz" })).ok).toBe(false);
    expect(decodeClaimResponse("[]").ok).toBe(false);
  });

  it("seals with a one-time pad that only the same pad opens", () => {
    const secret = "5a".repeat(32);
    const sealed = xorHex(secret, request.pad);
    expect(sealed).not.toBe(secret);
    expect(xorHex(sealed, request.pad)).toBe(secret);
    expect(() => xorHex("00", request.pad)).toThrow(RangeError);
  });

  it("reads a MAC in the notations chips and labels use", () => {
    expect(serialFromMac("A4:CF:12:00:00:01")).toBe("a4cf12000001");
    expect(serialFromMac("a4-cf-12-00-00-01")).toBe("a4cf12000001");
    expect(serialFromMac("a4cf1200000")).toBeNull();
  });
});
