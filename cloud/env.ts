import { parseNotifySettings, type NotifySettings } from "./notify/settings";

/**
 * The cloud's settings, read once at start. A bad value stops start-up with a message that
 * names the variable and what it should be.
 */
export interface CloudEnv {
  /** HTTP port of the API and console. */
  port: number;
  host: string;
  /** libSQL URL: `file:…` (embedded), `libsql://…`, `http(s)://…`. Unset: embedded file under dataDir. */
  databaseUrl: string | undefined;
  databaseAuthToken: string | undefined;
  /**
   * Broker URL: `mqtt://host:port` or `mqtts://…`. Unset: the embedded broker. With the NATS
   * transport, a comma-separated list of the cluster's MQTT listeners (the cloud's MQTT clients
   * fail over among them).
   */
  mqttUrl: string | undefined;
  /**
   * How the ingest receives node messages: `mqtt` (default; one broker, MQTT 5, see
   * `ingestShareGroup`) or `nats` (a NATS cluster's MQTT listeners for the nodes, JetStream
   * consumers shared by every cloud instance; cloud/ingest/jetstream-subscriber.ts).
   */
  ingestTransport: "mqtt" | "nats";
  /** NATS client URLs of the cluster (`nats://host:4222`, comma-separated); required with the NATS transport. */
  natsUrls: string[];
  natsUser: string | undefined;
  natsPassword: string | undefined;
  mqttUsername: string | undefined;
  mqttPassword: string | undefined;
  /**
   * The provisioner's broker account (Mosquitto dynamic-security admin): with both set, the cloud
   * answers claims and the fleet CLI can create batches and revoke devices.
   */
  mqttProvisionerUsername: string | undefined;
  mqttProvisionerPassword: string | undefined;
  /** Port of the embedded broker; 18830 keeps clear of a system Mosquitto on 1883. */
  embeddedMqttPort: number;
  /** Where the embedded database and simulated nodes' flash live. */
  dataDir: string;
  /** Simulated smoke nodes to start; by default 3 when nothing is configured, else 0. */
  simNodes: number;
  /**
   * This instance's name, unique among instances sharing a broker: its MQTT client id (and so
   * its persistent session) derives from it. Default: the host name.
   */
  instanceId: string | undefined;
  /**
   * MQTT 5 shared-subscription group for running several instances side by side. Unset: one
   * instance with a plain persistent subscription, which Mosquitto restores after its own
   * restart (its 2.0 series does not restore `$share` subscriptions from persistence).
   */
  ingestShareGroup: string | undefined;
  /** Ed25519 public keys (64 hex digits each) whose signed firmware the cloud accepts; none: uploads are refused. */
  otaReleaseKeys: string[];
  /** Alarm routing: seconds without acknowledgement before the next tier (default 60). */
  ackTimeoutS: number;
  /** Alarm routing: escalations before it stops (default 3). */
  escalationLimit: number;
  /** Alarm routing: days after resolution a re-check falls due (default 7). */
  recheckAfterDays: number;
  /** The site's offset from UTC in minutes, for duty rosters and CAP times (default 480, China). */
  utcOffsetMinutes: number;
  /** The address residents' phones reach the cloud at, for placards' QR codes (default: none; the CLI asks). */
  publicUrl: string | undefined;
  /** Days a resident's photo is kept; after that the file is deleted and the report keeps its words (default 180). */
  reportPhotoDays: number;
  /** Days raw telemetry rows and heartbeats are kept; the 1-minute and 1-hour rollups (min, max, mean) longer. */
  telemetryRawDays: number;
  telemetryMinuteDays: number;
  telemetryHourDays: number;
  /** SMS and voice providers and Web Push keys (cloud/notify/settings.ts). */
  notify: NotifySettings;
}

export class EnvError extends Error {
  override name = "EnvError";
}

export function parseEnv(source: Record<string, string | undefined> = process.env): CloudEnv {
  const problems: string[] = [];
  const text = (name: string): string | undefined => {
    const value = source[name]?.trim();
    return value ? value : undefined;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name}=${JSON.stringify(raw)} must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return value;
  };
  const url = (name: string, schemes: string[], value?: string): string | undefined => {
    const raw = value ?? text(name);
    if (raw === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      problems.push(`${name} is not a URL (expected ${schemes.join(" or ")}…)`);
      return undefined;
    }
    if (!schemes.includes(parsed.protocol)) {
      problems.push(`${name} must start with ${schemes.join(", ")} (got ${parsed.protocol})`);
      return undefined;
    }
    return raw;
  };

  const databaseUrl = url("DATABASE_URL", ["file:", "libsql:", "http:", "https:", "ws:", "wss:"]);
  const transport = text("INGEST_TRANSPORT") ?? "mqtt";
  if (transport !== "mqtt" && transport !== "nats") problems.push(`INGEST_TRANSPORT=${JSON.stringify(transport)} must be mqtt or nats`);
  const ingestTransport = transport === "nats" ? "nats" : "mqtt";
  const urlList = (name: string, schemes: string[]): string[] => {
    const raw = text(name);
    if (raw === undefined) return [];
    const entries = raw.split(",").map((entry) => entry.trim());
    return entries.map((entry) => url(name, schemes, entry)).filter((entry): entry is string => entry !== undefined);
  };
  // A list of MQTT listeners is a cluster's; the MQTT ingest (one persistent session) needs one broker.
  const mqttList = ingestTransport === "nats" ? urlList("MQTT_URL", ["mqtt:", "mqtts:"]) : [];
  const mqttUrl = ingestTransport === "nats" ? (mqttList.length ? mqttList.join(",") : undefined) : url("MQTT_URL", ["mqtt:", "mqtts:", "ws:", "wss:"]);
  const natsUrls = urlList("NATS_URLS", ["nats:", "tls:"]);
  const configured = databaseUrl !== undefined || mqttUrl !== undefined;
  const env: CloudEnv = {
    port: integer("PORT", 8080, 0, 65535),
    host: text("HOST") ?? "127.0.0.1",
    databaseUrl,
    databaseAuthToken: text("DATABASE_AUTH_TOKEN"),
    mqttUrl,
    ingestTransport,
    natsUrls,
    natsUser: text("NATS_USER"),
    natsPassword: text("NATS_PASSWORD"),
    mqttUsername: text("MQTT_USERNAME"),
    mqttPassword: text("MQTT_PASSWORD"),
    mqttProvisionerUsername: text("MQTT_PROVISIONER_USERNAME"),
    mqttProvisionerPassword: text("MQTT_PROVISIONER_PASSWORD"),
    embeddedMqttPort: integer("EMBEDDED_MQTT_PORT", 18830, 0, 65535),
    dataDir: text("DATA_DIR") ?? ".shouwang",
    simNodes: integer("SIM_NODES", configured ? 0 : 3, 0, 500),
    instanceId: text("INSTANCE_ID"),
    ingestShareGroup: text("INGEST_SHARE_GROUP"),
    otaReleaseKeys: releaseKeys(text("OTA_RELEASE_KEYS"), problems),
    ackTimeoutS: integer("ACK_TIMEOUT_S", 60, 5, 3600),
    escalationLimit: integer("ESCALATION_LIMIT", 3, 0, 20),
    recheckAfterDays: integer("RECHECK_AFTER_DAYS", 7, 1, 365),
    utcOffsetMinutes: integer("UTC_OFFSET_MINUTES", 480, -720, 840),
    publicUrl: url("PUBLIC_URL", ["http:", "https:"]),
    reportPhotoDays: integer("REPORT_PHOTO_DAYS", 180, 1, 3650),
    telemetryRawDays: integer("TELEMETRY_RAW_DAYS", 2, 1, 3650),
    telemetryMinuteDays: integer("TELEMETRY_MINUTE_DAYS", 3, 1, 3650),
    telemetryHourDays: integer("TELEMETRY_HOUR_DAYS", 400, 1, 36500),
    notify: parseNotifySettings(source, problems),
  };
  if (env.telemetryMinuteDays < env.telemetryRawDays || env.telemetryHourDays < env.telemetryMinuteDays) {
    problems.push("keep TELEMETRY_RAW_DAYS ≤ TELEMETRY_MINUTE_DAYS ≤ TELEMETRY_HOUR_DAYS: each coarser series outlives the finer one");
  }
  if (env.ingestShareGroup !== undefined && !/^[A-Za-z0-9_-]{1,40}$/.test(env.ingestShareGroup)) {
    problems.push("INGEST_SHARE_GROUP must be 1–40 characters of A–Z, a–z, 0–9, '_' and '-'");
  }
  if (env.instanceId !== undefined && !/^[A-Za-z0-9_-]{1,40}$/.test(env.instanceId)) {
    problems.push("INSTANCE_ID must be 1–40 characters of A–Z, a–z, 0–9, '_' and '-'");
  }
  if ((env.mqttProvisionerUsername === undefined) !== (env.mqttProvisionerPassword === undefined)) {
    problems.push("MQTT_PROVISIONER_USERNAME and MQTT_PROVISIONER_PASSWORD go together: set both or neither");
  }
  if (env.mqttProvisionerUsername !== undefined && mqttUrl === undefined) {
    problems.push("MQTT_PROVISIONER_USERNAME needs MQTT_URL: provisioning registers devices with a Mosquitto broker, not the embedded one");
  }
  if (ingestTransport === "nats") {
    if (natsUrls.length === 0 && !problems.some((p) => p.startsWith("NATS_URLS"))) problems.push("INGEST_TRANSPORT=nats needs NATS_URLS (the cluster's nats://host:port addresses, comma-separated)");
    if (mqttUrl === undefined && !problems.some((p) => p.startsWith("MQTT_URL"))) problems.push("INGEST_TRANSPORT=nats needs MQTT_URL (the cluster's MQTT listeners, comma-separated): nodes, commands and notifications still go over MQTT");
    if (env.ingestShareGroup !== undefined) problems.push("INGEST_SHARE_GROUP is for the MQTT transport; with INGEST_TRANSPORT=nats instances share the JetStream consumers by themselves");
  }
  if (problems.length) throw new EnvError(`Invalid settings:\n  - ${problems.join("\n  - ")}`);
  return env;
}

function releaseKeys(raw: string | undefined, problems: string[]): string[] {
  if (raw === undefined) return [];
  const keys = raw.split(/[\s,]+/).filter(Boolean);
  for (const key of keys) {
    if (!/^[0-9a-f]{64}$/.test(key)) {
      problems.push(`OTA_RELEASE_KEYS must list Ed25519 public keys as 64 lowercase hex digits (\`npm run release -- keygen\` prints one); "${key.slice(0, 12)}…" is not one`);
    }
  }
  return keys;
}
