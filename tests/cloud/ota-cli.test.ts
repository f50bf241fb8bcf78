import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import type { CampaignSummary } from "../../cloud/ota/campaign-engine";
import { parseDuration, parseFraction } from "../../cloud/ota/cli/parse";
import { renderCampaign } from "../../cloud/ota/cli/progress";
import { MEMBER_STATES } from "../../cloud/ota/campaign-engine";

const run = promisify(execFile);
const root = new URL("../..", import.meta.url).pathname;
const release = (...args: string[]) =>
  run(process.execPath, ["--import", "tsx", join(root, "cloud/ota/cli/release.ts"), ...args], { cwd: root }).then(
    ({ stdout }) => ({ code: 0, out: stdout }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, out: error.stdout + error.stderr }),
  );

describe("release CLI", () => {
  it("makes a key, signs an image, and verifies it as a node would; a changed byte is refused", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sw-release-"));
    const key = join(dir, "release.pem");
    const image = join(dir, "fw.bin");
    const made = await release("keygen", "--out", key);
    expect(made.code).toBe(0);
    const publicKey = /public key: ([0-9a-f]{64})/.exec(made.out)![1];
    expect((await release("keygen", "--out", key)).code).toBe(64); // never overwrites a key
    expect((await release("sim-image", "--version", "0.2.0", "--board", "esp32-devkitc", "--kind", "sensor", "--size", "8192", "--out", image)).code).toBe(0);
    const signed = await release("sign", "--key", key, "--image", image, "--board", "esp32-devkitc", "--kind", "sensor", "--version", "0.2.0");
    expect(signed.code).toBe(0);
    expect(JSON.parse(readFileSync(`${image}.release.json`, "utf8"))).toMatchObject({ version: "0.2.0", sizeBytes: 8192, keyId: publicKey.slice(0, 16) });
    expect(await release("verify", "--image", image, "--public-key", publicKey)).toMatchObject({ code: 0 });
    const bytes = readFileSync(image);
    bytes[4000] ^= 1;
    writeFileSync(image, bytes);
    const refused = await release("verify", "--image", image, "--public-key", publicKey);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/refused: SHA-256 is/);
    const badVersion = await release("sign", "--key", key, "--image", image, "--board", "esp32-devkitc", "--kind", "sensor", "--version", "2");
    expect(badVersion).toMatchObject({ code: 64 });
    expect(badVersion.out).toMatch(/version must look like 1\.2\.3/);
  });
});

describe("campaign progress in the CLI", () => {
  it("draws a bar of healthy, failed and under-way nodes with each stage's time", () => {
    const counts = Object.fromEntries(MEMBER_STATES.map((s) => [s, 0])) as CampaignSummary["counts"];
    Object.assign(counts, { healthy: 50, failed: 5, "rolled-back": 5, downloading: 20, pending: 20 });
    const summary: CampaignSummary = {
      id: "fleet-0-2-0",
      status: "running",
      statusReason: null,
      image: { sha256: "a".repeat(64), version: "0.2.0", board: "esp32-devkitc", kind: "sensor", sizeBytes: 1 },
      target: { board: "esp32-devkitc", kind: "sensor" },
      stages: [1, 10, 50, 100],
      stageIndex: 2,
      nodeWindowMs: 1_800_000,
      failureThreshold: 0.1,
      counts,
      nodes: 100,
      offered: 80,
      failureRate: 10 / 80,
      stageLog: [
        { stage: 0, percent: 1, nodes: 1, startedAt: 0, endedAt: 252_000, healthy: 1, failed: 0, skipped: 0 },
        { stage: 1, percent: 10, nodes: 9, startedAt: 252_000, endedAt: 900_000, healthy: 9, failed: 0, skipped: 0 },
        { stage: 2, percent: 50, nodes: 40, startedAt: 900_000, endedAt: null, healthy: 30, failed: 10, skipped: 0 },
      ],
      createdAt: "",
      updatedAt: "",
    };
    const text = renderCampaign(summary, 1_500_000, 20);
    expect(text).toContain("stage 3/4 (50%)  [██████████✗✗▒▒▒▒····]  50%  50/100 healthy");
    expect(text).toContain("failed 5 · rolled back 5");
    expect(text).toContain("failure rate 12.5% (pauses above 10.0%)");
    expect(text).toMatch(/stage 1 \(1%\)\s+1 nodes  done in 4m12s/);
    expect(text).toMatch(/stage 3 \(50%\)\s+40 nodes  under way for 10m00s/);
  });

  it("reads durations and fractions the way operators write them", () => {
    expect(parseDuration("30m")).toBe(1_800_000);
    expect(parseDuration("90s")).toBe(90_000);
    expect(parseDuration("1500")).toBe(1500);
    expect(() => parseDuration("soon")).toThrow(/not a duration/);
    expect(parseFraction("10%")).toBeCloseTo(0.1);
    expect(parseFraction("0.25")).toBe(0.25);
  });
});
