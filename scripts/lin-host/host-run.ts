/**
 * `npm run firmware:host-run`: a node on your computer, on Moddable's own runtime, against a real
 * Mosquitto and the cloud, end to end.
 *
 * It builds the firmware for Moddable's Linux runtime (`mcconfig -p lin`: the same node programs,
 * the same ECMA-419 MQTT wrapper, timers and preferences as the ESP32; firmware/platform/lin for
 * what a computer lacks), starts Mosquitto with the project's dynamic-security setup and the
 * cloud on free ports, makes a fleet batch for one serial, and runs a blank node of that batch:
 * it claims its identity, comes online, sends heartbeats, raises an alarm through its outbox,
 * takes a command, rides out a broker restart (an alarm raised while the broker is down goes out
 * when it is back) and takes another command. Each step prints what the cloud and the broker saw.
 *
 *   MODDABLE=~/moddable npm run firmware:host-run [-- --kind sensor --arch native|x86-32 --keep]
 *
 * `--keep` leaves the node running afterwards, printing its log, with the console at the printed
 * address, until Ctrl-C; type host commands (firmware/platform/lin/host-control.ts) as JSON lines,
 * e.g. {"op":"pin","name":"smoke","value":1000}.
 */
import mqtt from "mqtt";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createToken } from "../../cloud/auth/tokens";
import { createBatch } from "../../cloud/fleet/batches";
import { HOST_BOARD } from "../../hardware/generate";
import { parseUplinkTopic, uplinkFilters } from "../../shared/topics";
import { startFleetSite } from "../../tests/support/fleet";
import { CLEAN_AIR_COUNTS, quietEnvironment } from "./environment";
import { HostNode } from "./host-node";
import { isNodeKind } from "../../shared/node-kinds";
import { kindCreation } from "../firmware-creation";
import { buildNode, chooseTarget, findSdkOrExit } from "./sdk";

const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
};
const KIND = arg("kind", "sensor");
const ARCH = arg("arch", "native") as "native" | "x86-32";
const OUT = arg("out", join(tmpdir(), "shouwang-lin"));
const DAY_MS = 86_400_000;

/** What each kind is made to raise: its most telling alarm, set off through its host ports. */
const ALARM_OF: Record<string, { kind: string; cause: string; raise: Array<Record<string, unknown>>; clear: Array<Record<string, unknown>> }> = {
  sensor: {
    kind: "smoke",
    cause: "smoke in the chamber (1,000 counts over a 300-count clean-air baseline)",
    raise: [{ op: "waveform", name: "smoke", spec: { offsetCounts: 1000, amplitudeCounts: 0, hz: 0, noiseCounts: 3, seed: 4 } }],
    clear: [{ op: "waveform", name: "smoke", spec: { offsetCounts: CLEAN_AIR_COUNTS, amplitudeCounts: 0, hz: 0, noiseCounts: 3, seed: 9 } }],
  },
  capsule: {
    kind: "aed-removed",
    cause: "the AED taken out of its cabinet",
    raise: [{ op: "pin", name: "aedCabinetDoor", value: 1 }, { op: "pin", name: "aedPresent", value: 1 }],
    clear: [{ op: "pin", name: "aedPresent", value: 0 }, { op: "pin", name: "aedCabinetDoor", value: 0 }],
  },
  elevator: {
    kind: "relay-fault",
    cause: "the lock relay's sense contact stuck closed while the lock is off",
    raise: [{ op: "pin", name: "relaySense", value: 1 }],
    clear: [{ op: "pin", name: "relaySense", value: 0 }],
  },
};
const COMMAND_OF: Record<string, Record<string, unknown>> = {
  sensor: { op: "config", config: { telemetryIntervalMs: 30_000 } },
  capsule: { op: "display", text: "社区应急救援站" },
  elevator: { op: "self-test" },
};

const step = (title: string) => console.log(`\n== ${title}`);
const say = (line: string) => console.log(`   ${line}`);

async function main(): Promise<void> {
  const sdk = findSdkOrExit("firmware:host-run runs the node on Moddable's own runtime.");
  if (!ALARM_OF[KIND]) throw new Error(`--kind must be one of ${Object.keys(ALARM_OF).join(", ")}`);
  const target = chooseTarget(ARCH, OUT);
  step(`build: Moddable SDK ${sdk.version} (commit ${sdk.commit}), ${target.arch}${target.runner.length ? ` under ${target.runner[0]}` : ""}`);
  // In the ESP32's heap: the creation sizes the kind's device build sets, fixed, so the run shows they hold.
  if (!isNodeKind(KIND)) throw new Error(`--kind must be one of ${Object.keys(ALARM_OF).join(", ")}`);
  const creation = kindCreation(KIND);
  say(`XS heap as on the ESP32 (firmware/kinds/${KIND}/manifest.json): ${creation.heap.initial} slots, ${creation.chunk.initial} chunk bytes, stack ${creation.stack} slots, not growing`);
  const build = buildNode(sdk, target, { outDir: OUT, creations: { [KIND]: creation }, log: say });

  step("site: Mosquitto with the project's dynamic-security setup, and the cloud");
  const site = await startFleetSite();
  const token = await createToken(site.cloud.database.db, "host-run", "admin", Date.now());
  const serial = `a4cf12${Math.floor(Math.random() * 0xffffff).toString(16).padStart(6, "0")}`;
  const { batch, secret } = await createBatch(site.fleet, { kind: KIND, board: HOST_BOARD.id, serials: [serial], expiresAt: Date.now() + DAY_MS });
  say(`broker ${site.broker.url}, cloud ${site.cloud.url}; batch ${batch.id} for serial ${serial}`);

  const seen: Array<{ channel: string; body: Record<string, unknown> }> = [];
  const observer = await mqtt.connectAsync(site.broker.url, { ...site.broker.admin!, clientId: "host-run-observer", reconnectPeriod: 500 });
  await observer.subscribeAsync(uplinkFilters(), { qos: 1 });
  observer.on("message", (topic, payload) => {
    const parsed = parseUplinkTopic(topic);
    if (parsed?.nodeId === serial) seen.push({ channel: parsed.channel, body: JSON.parse(payload.toString()) as Record<string, unknown> });
  });
  const count = (channel: string) => seen.filter((m) => m.channel === channel).length;
  const api = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${site.cloud.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" } });
    return (await response.json()) as any;
  };

  const dir = mkdtempSync(join(tmpdir(), "sw-host-node-"));
  const node = new HostNode(build, build.inCreation[KIND], dir, {
    kind: KIND,
    mqtt_host: "127.0.0.1",
    mqtt_port: site.broker.port,
    host_serial: serial,
    claim_batch: batch.id,
    claim_secret: secret,
  });
  const stopAll = async () => {
    await node.stop();
    await observer.endAsync(true);
    await site.stop();
  };
  try {
    step(`boot: a blank ${KIND} node (its NVS is ${join(dir, "modpreferences.json")})`);
    node.start();
    for (const line of quietEnvironment(KIND)) node.send(line);
    const boot = await node.waitFor(() => node.events.find((e) => e.event === "boot"), "the boot", 60_000);
    say(`booted, reset reason ${boot.resetReason}`);

    step("claim");
    await node.waitFor(() => node.logged(new RegExp(`connected as ${serial}`)).length > 0, "the claim and the first connection", 120_000);
    for (const line of node.logged(/claim/i)) say(line);
    const identity = node.preferences().sw ?? {};
    say(`identity in its preferences: nodeId ${identity.nodeId}, mqttUser ${identity.mqttUser}, password ${identity.mqttPass ? "(kept, not shown)" : "missing"}`);

    step("online and heartbeats");
    const online = await node.waitFor(() => seen.find((m) => m.channel === "status" && m.body.online === true), "the retained online status", 60_000);
    say(`status: online, firmware ${online.body.firmware}, boot ${online.body.boot}`);
    const beat = await node.waitFor(() => seen.find((m) => m.channel === "health"), "a heartbeat", 90_000);
    say(`heartbeat: node time ${beat.body.t} ms, reset reason ${beat.body.resetReason}, outbox ${JSON.stringify(beat.body.outbox)}, sensors ${JSON.stringify(beat.body.sensors)}`);
    const cloudNode = (await api(`/api/nodes/${serial}`)).node;
    say(`the cloud: ${cloudNode?.id} ${cloudNode?.kind}, online ${cloudNode?.online}`);

    const trigger = ALARM_OF[KIND];
    const alarmsOf = (state: string) => seen.filter((m) => m.channel === "alarm" && m.body.kind === trigger.kind && m.body.state === state);
    step(`alarm: ${trigger.cause}`);
    for (const line of trigger.raise) node.send(line);
    const raised = await node.waitFor(() => alarmsOf("raised")[0], `the ${trigger.kind} alarm`, 120_000);
    say(`published: alarm ${raised.body.kind} ${raised.body.severity} raised, seq ${raised.body.seq}, value ${raised.body.value} ${raised.body.unit}`);
    const stored = await waitForApi(() => api(`/api/nodes/${serial}/alarms`), (body) => body.alarms?.find((a: { kind: string }) => a.kind === trigger.kind), "the alarm in the cloud");
    say(`stored by the cloud: ${stored.kind} ${stored.severity}, alarm #${stored.id}`);
    for (const line of trigger.clear) node.send(line);
    const cleared = await node.waitFor(() => alarmsOf("cleared")[0], `the ${trigger.kind} alarm to clear`, 180_000);
    say(`published: alarm ${cleared.body.kind} cleared, seq ${cleared.body.seq}`);

    step(`command: ${JSON.stringify(COMMAND_OF[KIND])}`);
    const first = await command(api, serial, COMMAND_OF[KIND]);
    say(`acknowledged: ${first.status}${first.detail ? ` (${first.detail})` : ""}`);

    step("broker restart: down 30 s, the alarm raised again meanwhile");
    const connectionsBefore = node.logged(/connected as/).length;
    const raisedBefore = alarmsOf("raised").length;
    const restart = site.broker.restart(30_000);
    await node.waitFor(() => node.logged(/disconnected/).length > 0, "the node to notice", 90_000);
    say(node.logged(/disconnected/)[0]);
    for (const line of trigger.raise) node.send(line);
    await restart;
    say("broker back");
    await node.waitFor(() => node.logged(/connected as/).length > connectionsBefore, "the node to reconnect", 180_000);
    say(node.logged(/connected as/).at(-1)!);
    const again = await node.waitFor(() => alarmsOf("raised").length > raisedBefore && alarmsOf("raised").at(-1), "the alarm raised while the broker was down", 120_000);
    say(`published after the restart: alarm ${again.body.kind} raised, seq ${again.body.seq} (node time ${again.body.t} ms)`);
    await waitForApi(() => api(`/api/nodes/${serial}/alarms`), (body) => body.alarms?.filter((a: { kind: string }) => a.kind === trigger.kind).length >= 2, "the second alarm in the cloud");
    say("stored by the cloud");
    for (const line of trigger.clear) node.send(line);
    const beatsBefore = count("health");
    await node.waitFor(() => count("health") > beatsBefore, "a heartbeat after the restart", 120_000);
    say("heartbeats again");
    const second = await command(api, serial, COMMAND_OF[KIND]);
    say(`a command after the restart: ${second.status}${second.detail ? ` (${second.detail})` : ""}`);

    step("what the broker saw from the node");
    say(["status", "health", "telemetry", "alarm", "event", "ack"].map((channel) => `${channel} ${count(channel)}`).join(", "));
    const meter = await node.meter("end");
    say(`XS meter now: ${meter.slots} slots live, ${meter.slotsPeak} at peak (${meter.slotBytes} bytes each); ${meter.chunks} chunk bytes live, ${meter.chunksPeak} at peak; stack peak ${meter.stackPeak} slots; ${meter.collections} collections`);
    say(node.logged(/^(warn|error):/).length === 0 ? "no warnings" : `warnings and errors:\n     ${node.logged(/^(warn|error):/).join("\n     ")}`);

    if (process.argv.includes("--keep")) {
      step(`the node keeps running; console ${site.cloud.url} (token ${token}); JSON host commands on stdin, Ctrl-C ends`);
      const input = createInterface({ input: process.stdin });
      input.on("line", (line) => node.send(JSON.parse(line) as Record<string, unknown>));
      let shown = node.logs.length;
      setInterval(() => {
        for (const line of node.logs.slice(shown)) if (!line.startsWith("instruments")) console.log(`   | ${line}`);
        shown = node.logs.length;
      }, 500);
      await new Promise<void>((resolve) => process.once("SIGINT", () => resolve()));
    }
  } catch (error) {
    console.error(`\n${String(error)}\n\nthe node's last lines:\n${node.logs.slice(-30).join("\n")}`);
    process.exitCode = 1;
  } finally {
    await stopAll();
  }
}

async function waitForApi<T>(get: () => Promise<any>, pick: (body: any) => T | false | undefined, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = pick(await get());
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function command(api: (path: string, init?: RequestInit) => Promise<any>, nodeId: string, body: Record<string, unknown>): Promise<{ status: string; detail?: string }> {
  const sent = await api(`/api/nodes/${nodeId}/commands`, { method: "POST", body: JSON.stringify(body) });
  if (!sent.command?.id) throw new Error(`the cloud refused the command: ${JSON.stringify(sent)}`);
  return waitForApi(() => api(`/api/nodes/${nodeId}/commands/${sent.command.id}`), (answer) => answer.command?.status !== "sent" && answer.command, `the ack of ${JSON.stringify(body)}`, 120_000);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
