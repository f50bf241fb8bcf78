import { describe, expect, it } from "vitest";
import { compareVersions, decodeChunk, decodeChunkRequest, decodeOtaCommand, decodeOtaReport, releaseProblem, releaseStatementText } from "../../shared/ota";
import { otaTopic, otaUplinkFilters, parseOtaTopic, parseUplinkTopic } from "../../shared/topics";

const release = {
  board: "esp32-devkitc",
  kind: "sensor",
  version: "0.2.0",
  sizeBytes: 4096,
  sha256: "a".repeat(64),
  signature: "b".repeat(128),
  keyId: "c".repeat(16),
};

describe("OTA protocol", () => {
  it("orders versions as SemVer does", () => {
    const ordered = ["0.1.0", "0.1.1-rc.1", "0.1.1-rc.2", "0.1.1-rc.10", "0.1.1", "0.2.0-alpha", "0.2.0-alpha.1", "0.2.0-beta", "0.2.0", "1.0.0", "10.0.0"];
    for (let i = 0; i < ordered.length; i++) {
      for (let j = 0; j < ordered.length; j++) expect(compareVersions(ordered[i], ordered[j]), `${ordered[i]} vs ${ordered[j]}`).toBe(Math.sign(i - j));
    }
  });

  it("signs a fixed, line-based statement", () => {
    expect(releaseStatementText(release as never)).toBe(
      `shouwang-release-v1\nboard=esp32-devkitc\nkind=sensor\nversion=0.2.0\nsize=4096\nsha256=${"a".repeat(64)}\n`,
    );
    expect(releaseProblem(release)).toBeNull();
    expect(releaseProblem({ ...release, board: "esp32\nkind=capsule" })).toMatch(/board/);
    expect(releaseProblem({ ...release, version: "1.0" })).toMatch(/version/);
    expect(releaseProblem({ ...release, sizeBytes: 0 })).toMatch(/sizeBytes/);
    expect(releaseProblem({ ...release, sha256: "A".repeat(64) })).toMatch(/sha256/);
  });

  it("decodes well-formed commands and refuses the rest with a reason", () => {
    const offer = { v: 1, type: "ota-offer", campaign: "c-1x", release, chunkBytes: 2048 };
    expect(decodeOtaCommand(JSON.stringify(offer))).toMatchObject({ ok: true });
    expect(decodeOtaCommand(JSON.stringify({ v: 1, type: "ota-cancel", campaign: "c-1x" }))).toMatchObject({ ok: true });
    for (const [bad, why] of [
      ["{", /malformed JSON/],
      ["[1]", /not a JSON object/],
      [JSON.stringify({ ...offer, v: 2 }), /version/],
      [JSON.stringify({ ...offer, type: "ota-flash" }), /type/],
      [JSON.stringify({ ...offer, campaign: "../x" }), /campaign/],
      [JSON.stringify({ ...offer, chunkBytes: 4096 }), /chunkBytes/],
      [JSON.stringify({ ...offer, release: { ...release, signature: "00" } }), /signature/],
    ] as const) {
      const decoded = decodeOtaCommand(bad);
      expect(decoded.ok, bad).toBe(false);
      if (!decoded.ok) expect(decoded.problem).toMatch(why);
    }
  });

  it("bounds chunk requests and chunks", () => {
    const request = { v: 1, campaign: "c-1x", sha256: "a".repeat(64), offset: 0, length: 2048 };
    expect(decodeChunkRequest(JSON.stringify(request)).ok).toBe(true);
    expect(decodeChunkRequest(JSON.stringify({ ...request, length: 4096 })).ok).toBe(false);
    expect(decodeChunkRequest(JSON.stringify({ ...request, offset: -1 })).ok).toBe(false);
    expect(decodeChunk(JSON.stringify({ v: 1, sha256: "a".repeat(64), offset: 0, data: "AAAA" })).ok).toBe(true);
    expect(decodeChunk(JSON.stringify({ v: 1, sha256: "a".repeat(64), offset: 0, error: "unknown-image" })).ok).toBe(true);
    expect(decodeChunk(JSON.stringify({ v: 1, sha256: "a".repeat(64), offset: 0, data: "A".repeat(3000) })).ok).toBe(false);
  });

  it("refuses a report that names another node than its topic", () => {
    const report = { v: 1, node: "node-001", boot: 1, t: 5, campaign: null, state: "idle", version: null, running: "0.1.0", board: "esp32-devkitc", kind: "sensor" };
    expect(decodeOtaReport("node-001", JSON.stringify(report)).ok).toBe(true);
    const spoofed = decodeOtaReport("node-002", JSON.stringify(report));
    expect(spoofed).toMatchObject({ ok: false });
    if (!spoofed.ok) expect(spoofed.problem).toMatch(/came on node-002's topic/);
    expect(decodeOtaReport("node-001", JSON.stringify({ ...report, state: "exploded" })).ok).toBe(false);
    expect(decodeOtaReport("node-001", JSON.stringify({ ...report, progress: 101 })).ok).toBe(false);
  });

  it("keeps OTA topics under the node's prefix and out of the ingest's uplink filters", () => {
    expect(otaTopic("node-001", "state")).toBe("sw/v1/node/node-001/ota/state");
    expect(parseOtaTopic("sw/v1/node/node-001/ota/get")).toEqual({ nodeId: "node-001", channel: "get" });
    expect(parseOtaTopic("sw/v1/node/node-001/ota/flash")).toBeNull();
    expect(parseOtaTopic("sw/v1/node/NODE/ota/get")).toBeNull();
    expect(parseUplinkTopic(otaTopic("node-001", "state"))).toBeNull();
    expect(otaUplinkFilters()).toEqual(["sw/v1/node/+/ota/get", "sw/v1/node/+/ota/state"]);
  });
});
