import { join, resolve } from "node:path";
import { startEmbeddedBroker, type EmbeddedBroker } from "../cloud/broker/embedded";
import { EnvError, parseEnv } from "../cloud/env";
import { createLogger } from "../cloud/log";
import { startCloud } from "../cloud/server";
import { SITE_CAPSULE_ID, SITE_ELEVATOR_ID, siteSmokeId, startSite, type Site } from "../firmware/platform/sim/host/site";
import { placardsUnder } from "../cloud/reports/placards";
import { ensureDemoRoster, seedDemoCommunity } from "./demo-community";
import { startSimulatedProviders, type SimulatedProviders } from "./simulated-providers";
import { describeProviders } from "../cloud/notify/settings";
import { seedDemoSupplies } from "./demo-supplies";
import { startProviderThread } from "../cloud/notify/providers/provider-thread";
import { issueSignInLink } from "../cloud/auth/sessions";
import { signInUrl } from "../cloud/auth/session-routes";

/** Ctrl-C gets everything closed within this (the promise to a newcomer is 2 s, start to last port). */
const STOP_LIMIT_MS = 1500;

/**
 * `npm start`: the whole system on one machine. With nothing configured it brings an embedded
 * broker, an embedded libSQL file and a small simulated site of XS nodes; with MQTT_URL and/or
 * DATABASE_URL set it uses those and simulates nothing (unless SIM_NODES says otherwise).
 *
 * package.json runs it as `exec node --import tsx system/start.ts`: npm passes SIGINT and SIGTERM
 * only to its own child, the shell running the script, which died of it without passing it on
 * and left this process and every port open; `exec` makes this process npm's child.
 */
async function main(): Promise<void> {
  const env = parseEnv();
  const log = createLogger();
  const dataDir = resolve(env.dataDir);

  let broker: EmbeddedBroker | undefined;
  if (!env.mqttUrl) broker = await startEmbeddedBroker(env.embeddedMqttPort);
  const mqttUrl = env.mqttUrl ?? broker!.url;
  // The embedded broker and NATS's MQTT listener speak MQTT 3.1.1 only; a real broker gets MQTT 5 (shared subscriptions, reason codes).
  const protocolVersion = broker || env.ingestTransport === "nats" ? 4 : 5;
  const databaseUrl = env.databaseUrl ?? `file:${join(dataDir, "shouwang.db")}`;
  // The demo (its own database, nothing configured) reaches its people through a simulated
  // provider, so every step of an escalation lands somewhere visible; a real site names its own.
  // A configured provider's adapters run on a thread of their own (provider-thread.ts): signing and
  // HTTPS off the loop that stores alarms and opens their incidents.
  const providerThread = env.notify.sms || env.notify.voice ? await startProviderThread(env.notify, { log }) : undefined;
  const configured = { sms: providerThread?.sms ?? null, voice: providerThread?.voice ?? null };
  let simulated: SimulatedProviders | undefined;
  if (!env.databaseUrl && (!configured.sms || !configured.voice)) simulated = await startSimulatedProviders((line) => process.stdout.write(`${line}\n`));
  const providers = { sms: configured.sms ?? simulated?.sms ?? null, voice: configured.voice ?? simulated?.voice ?? null };

  const cloud = await startCloud({
    databaseUrl,
    databaseAuthToken: env.databaseAuthToken,
    mqtt: { url: mqttUrl, username: env.mqttUsername, password: env.mqttPassword, protocolVersion, shareGroup: env.ingestShareGroup },
    instanceId: env.instanceId,
    // Telemetry, heartbeats and statuses on a thread of their own, off the loop the alarms share.
    bulkThread: true,
    nats: env.ingestTransport === "nats" ? { servers: env.natsUrls, user: env.natsUser, pass: env.natsPassword } : undefined,
    provisioning:
      env.mqttProvisionerUsername && env.mqttProvisionerPassword
        ? { username: env.mqttProvisionerUsername, password: env.mqttProvisionerPassword }
        : undefined,
    port: env.port,
    host: env.host,
    log,
    ota: { dataDir, releaseKeys: env.otaReleaseKeys },
    dataDir,
    reportPhotoDays: env.reportPhotoDays,
    telemetry: { rawDays: env.telemetryRawDays, minuteDays: env.telemetryMinuteDays, hourDays: env.telemetryHourDays },
    routing: {
      ...providers,
      webPush: { keys: env.notify.webPush, subject: env.notify.webPushSubject },
      config: {
        ackTimeoutMs: env.ackTimeoutS * 1000,
        maxEscalations: env.escalationLimit,
        recheckAfterMs: env.recheckAfterDays * 86_400_000,
        utcOffsetMinutes: env.utcOffsetMinutes,
      },
    },
  });

  let site: Site | undefined;
  let seeded = false;
  if (env.simNodes > 0) {
    // A demo database gets the site's places and people, so its incidents reach someone.
    if (!env.databaseUrl) {
      const smoke = Array.from({ length: env.simNodes }, (_, i) => siteSmokeId(i + 1));
      seeded = await seedDemoCommunity(cloud.database.db, { smoke, elevator: SITE_ELEVATOR_ID, capsule: SITE_CAPSULE_ID }, Date.now());
    }
    if (!env.databaseUrl) await ensureDemoRoster(cloud.database.db, simulated?.robot ?? null, Date.now());
    site = await startSite({ brokerUrl: mqttUrl, protocolVersion, nodes: env.simNodes, dataDir, log: (line) => log("debug", line), releaseKeys: env.otaReleaseKeys });
  }

  // The demo capsule is stocked once its node has reported (a capsule is known from its first state).
  let stocking: NodeJS.Timeout | undefined;
  if (seeded) {
    stocking = setInterval(() => {
      seedDemoSupplies(cloud.database.db, SITE_CAPSULE_ID, Date.now())
        .then((done) => done && clearInterval(stocking))
        .catch((error: Error) => log("warn", "could not stock the demo capsule", { error: error.message }));
    }, 2000);
    stocking.unref();
  }

  // The resident's page as the demo building's placard opens it (its code is made on first use).
  const placard = site ? (await placardsUnder(cloud.database.db, "demo-building", Date.now()))[0] : undefined;
  const lines = [
    "",
    "  守望 Shouwang is running",
    `  Console:   ${cloud.url}/`,
    `  API:       ${cloud.url}/api/alarms`,
    ...(placard ? [`  Residents: ${cloud.url}/r/${placard.code}  (隐患随手拍, as the placard of ${placard.placeName} opens it)`] : []),
    `  MQTT:      ${broker ? `${broker.url} (embedded)` : "configured broker"}`,
    `  Database:  ${env.databaseUrl ? "configured libSQL" : databaseUrl}`,
    `  Simulated: ${site ? `${env.simNodes} smoke nodes, an elevator lock and a capsule in XS${env.otaReleaseKeys.length ? ", smoke nodes taking signed updates" : ""}` : "none"}`,
    `  SMS:       ${configured.sms ? describeProviders(env.notify).sms : simulated ? "simulated (a local Aliyun-shaped server; each message prints here) — set SMS_PROVIDER for real ones" : "none configured: SMS deliveries are unreachable (set SMS_PROVIDER)"}`,
    `  Voice:     ${configured.voice ? describeProviders(env.notify).voice : simulated ? "simulated (calls print here) — set VOICE_PROVIDER for real ones" : "none configured: voice calls are unreachable (set VOICE_PROVIDER)"}`,
    `  Claims:    ${cloud.provisioner ? "answered (npx shouwang help: batches, devices, installation)" : "off (needs MQTT_URL and MQTT_PROVISIONER_USERNAME/PASSWORD)"}`,
  ];
  // People sign in to the console with one-time links; the operator at this terminal gets one each start.
  const signIn = await issueSignInLink(cloud.database.db, { role: "admin", name: "admin (npm start)" }, "system:start", Date.now());
  lines.push("", "  Sign in to the console (one-time link, valid 24 h; open it in your browser):", `  ${signInUrl(cloud.url, signIn.token)}`);
  if (cloud.firstAdminToken) {
    lines.push(
      "",
      "  First admin API token, for scripts and the CLI (shown once, stored only as a hash):",
      `  ${cloud.firstAdminToken}`,
    );
  } else {
    lines.push("", "  Admin API token: already issued at first start (lost it? `npx shouwang admin-token` makes a new one).");
  }
  process.stdout.write(`${lines.join("\n")}\n\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    // Ctrl-C reaches npm and this process both (npm passes it on): the first one stops, the deadline ends any straggler.
    if (stopping) return;
    stopping = true;
    const startedMs = Date.now();
    process.stdout.write(`\n  ${signal === "SIGINT" ? "Ctrl-C" : signal}: stopping the simulated nodes, the cloud and the broker…\n`);
    const deadline = setTimeout(() => {
      site?.kill();
      process.stdout.write(`  守望 stopped: what had not closed within ${STOP_LIMIT_MS} ms was ended.\n`);
      process.exit(0);
    }, STOP_LIMIT_MS);
    void (async () => {
      clearInterval(stocking);
      await site?.stop().catch((error: Error) => log("warn", "a simulated node did not stop cleanly", { error: error.message }));
      await cloud.close().catch((error: Error) => log("warn", "the cloud did not close cleanly", { error: error.message }));
      await providerThread?.close();
      await broker?.close();
      clearTimeout(deadline);
      process.stdout.write(`  守望 stopped in ${Date.now() - startedMs} ms: simulated nodes, cloud${broker ? " and embedded broker" : ""} closed.\n`);
      process.exit(0);
    })();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof EnvError ? error.message : `Could not start: ${(error as Error).message}`}\n`);
  process.exit(1);
});
