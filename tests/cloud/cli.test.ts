import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../cloud/cli/main";
import type { CliIo } from "../../cloud/cli/context";
import { labelPayload } from "../../cloud/fleet/labels";
import { claimOverMqtt } from "../support/claim-client";
import { startFleetSite, type FleetSite } from "../support/fleet";

/** The fleet CLI in-process, against the cloud's database and a Mosquitto with the project's dynamic-security setup. */
describe("fleet CLI", () => {
  let site: FleetSite;
  let env: Record<string, string>;
  const dir = mkdtempSync(join(tmpdir(), "sw-cli-"));

  beforeAll(async () => {
    site = await startFleetSite();
    env = {
      DATABASE_URL: site.databaseUrl,
      MQTT_URL: site.broker.url,
      MQTT_PROVISIONER_USERNAME: site.accounts.provisioner.username,
      MQTT_PROVISIONER_PASSWORD: site.accounts.provisioner.password,
    };
  });
  afterAll(() => site?.stop());

  async function run(argv: string[], environment: Record<string, string> = env, tty = false) {
    const out: string[] = [];
    const err: string[] = [];
    const progress: string[] = [];
    const io: CliIo = {
      out: (text) => out.push(text),
      err: (text) => err.push(text),
      progress: { write: (text: string) => progress.push(text), isTTY: tty },
      readFile: (path) => readFileSync(path, "utf8"),
      writeFile: (path, text) => writeFileSync(path, text),
      now: Date.now,
    };
    const code = await runCli(argv, io, environment);
    return { code, out: out.join("\n"), err: err.join("\n"), progress: progress.join("") };
  }

  it("explains itself", async () => {
    const help = await run(["help"]);
    expect(help.code).toBe(0);
    for (const command of ["batch create", "batch flash-command", "batch labels", "devices", "revoke", "release", "install", "place add"]) expect(help.out).toContain(command);
    expect((await run(["frobnicate"])).err).toMatch(/Unknown command "frobnicate"/);
    expect((await run([])).code).toBe(64);
  });

  it("says what is missing when a command needs the broker and it is not configured", async () => {
    const result = await run(["batch", "create", "--kind", "sensor", "--board", "esp32-devkitc", "--serial", "a4cf16000009"], { DATABASE_URL: env.DATABASE_URL });
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/set MQTT_URL, MQTT_PROVISIONER_USERNAME and MQTT_PROVISIONER_PASSWORD/);
    expect(result.err).not.toMatch(/at .*\.ts:\d+/);
  });

  it("creates a batch, prints its secret once and the exact mcconfig command, and checks a secret before printing it again", async () => {
    const counted = await run(["batch", "create", "--kind", "sensor", "--board", "esp32-devkitc", "--count", "2"]);
    expect(counted.err).toMatch(/--count is gone/);
    const created = await run(["batch", "create", "--kind", "sensor", "--board", "esp32-devkitc", "--serial", "a4:cf:16:00:00:01", "--serial", "a4cf16000002", "--id", "b-cli-count", "--expires", "7d"]);
    expect(created.code, created.err).toBe(0);
    const secret = /Claim secret.*\n {2}([0-9a-f]{64})/.exec(created.out)![1];
    expect(created.out).toContain(`export SW_CLAIM_SECRET=${secret}`);
    const port = new URL(site.broker.url).port;
    const command = `mcconfig -m -p esp32 ./firmware/kinds/sensor/manifest.json claim_batch=b-cli-count claim_secret="$SW_CLAIM_SECRET" mqtt_host=127.0.0.1 mqtt_port=${port} ssid="$WIFI_SSID" password="$WIFI_PASSWORD"`;
    expect(created.out).toContain(command);

    expect((await run(["batch", "flash-command", "b-cli-count"])).out).toBe(command);
    const wrong = await run(["batch", "flash-command", "b-cli-count", "--secret", "0".repeat(64)]);
    expect(wrong.err).toBe("that is not batch b-cli-count's claim secret");
    const right = await run(["batch", "flash-command", "b-cli-count", "--secret", secret, "--mqtt-host", "mqtt.site.example"]);
    expect(right.out).toContain(`claim_secret="${secret}" mqtt_host=mqtt.site.example`);

    // The credential it printed is the one the broker knows.
    expect(await claimOverMqtt(site.broker.url, { batch: "b-cli-count", secret, serial: "a4cf16000001", board: "esp32-devkitc", kind: "sensor" })).toMatchObject({ ok: true });
    const listed = await run(["batch", "list"]);
    expect(listed.out).toMatch(/b-cli-count\s+sensor\s+esp32-devkitc\s+1\s+2/);
  });

  it("takes a serial list from a file with a progress bar, lists pending and claimed devices, and exports labels", async () => {
    const file = join(dir, "serials.csv");
    writeFileSync(file, ["serial,note", ...Array.from({ length: 1200 }, (_, i) => `A4:CF:17:00:${String(Math.floor(i / 100)).padStart(2, "0")}:${String(i % 100).padStart(2, "0")},box ${i}`)].join("\n"));
    const created = await run(["batch", "create", "--kind", "sensor", "--board", "esp32-devkitc", "--serials", file, "--id", "b-cli-list"], env, true);
    expect(created.code, created.err).toBe(0);
    expect(created.out).toMatch(/1200 listed sensor nodes/);
    expect(created.progress).toMatch(/storing serials \[█+\] 100% 1200\/1200\n$/);
    const secret = /Claim secret.*\n {2}([0-9a-f]{64})/.exec(created.out)![1];
    await claimOverMqtt(site.broker.url, { batch: "b-cli-list", secret, serial: "a4cf17000000", board: "esp32-devkitc", kind: "sensor" });

    const devices = await run(["devices", "--batch", "b-cli-list"]);
    expect(devices.out).toMatch(/^serial\s+state\s+kind/);
    expect(devices.out).toMatch(/a4cf17000000\s+claimed\s+sensor/);
    expect(devices.out).toMatch(/a4cf17000001\s+pending\s+sensor/);
    expect(devices.out).toMatch(/1199 pending, 1 claimed$/);
    expect((await run(["devices", "--state", "bogus"])).err).toMatch(/--state must be one of/);

    const out = join(dir, "labels.csv");
    expect((await run(["batch", "labels", "b-cli-list", "--out", out])).out).toBe(`1200 labels written to ${out}`);
    const lines = readFileSync(out, "utf8").trimEnd().split("\r\n");
    expect(lines).toHaveLength(1201);
    expect(lines[1]).toBe(`a4cf17000000,sensor,esp32-devkitc,b-cli-list,claimed,${labelPayload("a4cf17000000", "sensor")}`);
  });

  it("installs a device in its place by its label, and revokes devices with a progress bar", async () => {
    expect((await run(["place", "add", "st-9", "--level", "street", "--name", "Xinhua Street"])).code).toBe(0);
    await run(["place", "add", "cm-9", "--level", "community", "--name", "Heping", "--parent", "st-9"]);
    await run(["place", "add", "cp-9", "--level", "compound", "--name", "No. 3", "--parent", "cm-9"]);
    await run(["place", "add", "bd-9", "--level", "building", "--name", "Building 9", "--parent", "cp-9"]);
    expect((await run(["place", "add", "fl-x", "--level", "floor", "--name", "x", "--parent", "st-9"])).err).toMatch(/a floor cannot sit under a street/);
    expect((await run(["place", "list"])).out).toMatch(/bd-9\s+building\s+Building 9\s+st-9\/cm-9\/cp-9\/bd-9\//);

    const installed = await run(["install", labelPayload("a4cf17000000", "sensor"), "bd-9"]);
    expect(installed.out).toBe("a4cf17000000 (sensor) is installed at st-9/cm-9/cp-9/bd-9/");

    const revoked = await run(["revoke", "a4cf17000000", "a4cf16000001"], env, true);
    expect(revoked.code, revoked.err).toBe(0);
    expect(revoked.progress).toMatch(/revoking \[█+\] 100% 2\/2/);
    expect(revoked.out).toMatch(/a4cf17000000: revoked; the broker has cut it off/);
    expect((await run(["devices", "--state", "revoked"])).out).toMatch(/2 revoked/);
    expect((await run(["release", "a4cf17000000"])).err).toMatch(/is revoked; it cannot be released/);
    expect((await run(["install", "a4cf17000000", "bd-9"])).err).toMatch(/is revoked; only a claimed device can be installed/);
  });
});
