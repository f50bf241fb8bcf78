import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { decodeChunkRequest, decodeOtaReport, type OtaCancel, type OtaChunk, type OtaChunkRequest, type OtaOffer } from "../../shared/ota";
import { otaTopic, otaUplinkFilters, parseOtaTopic } from "../../shared/topics";
import { redactUrl } from "../ingest/subscriber";
import type { Logger } from "../log";
import type { CampaignEngine, OfferChannel } from "./campaign-engine";
import type { ImageStore } from "./image-store";

export interface OtaServiceOptions {
  url: string;
  username?: string;
  password?: string;
  clientId: string;
  protocolVersion: 4 | 5;
  /** MQTT 5 shared-subscription group, so several cloud instances split chunk requests and reports. */
  shareGroup?: string;
}

export interface OtaServiceStats {
  chunksServed: number;
  bytesServed: number;
  chunkErrors: number;
  reports: number;
  rejected: number;
}

export interface OtaService extends OfferChannel {
  readonly stats: OtaServiceStats;
  close(): Promise<void>;
}

/**
 * The cloud's MQTT side of OTA: answers each node's chunk requests from the image store (on the
 * node's own `ota/chunk` topic, so the broker's per-device ACL keeps them apart), feeds node
 * reports to the campaign engine, and carries the engine's offers and cancels.
 *
 * Why chunks over MQTT and not HTTP range requests: the node already holds one authenticated
 * (and, in production, TLS) connection, and a second TLS session costs an ESP32 about 40 KB of
 * heap during the update; the broker ACL that provisioning sets up already confines a node to
 * its own topics, so no second credential scheme is needed on the HTTP API; a node behind NAT
 * in a basement needs only its outbound MQTT connection; and request/response keeps the node in
 * charge of pace and of resuming at an offset, exactly as a Range request would.
 */
export async function startOtaService(options: OtaServiceOptions, deps: { store: ImageStore; engine: () => CampaignEngine; log: Logger }): Promise<OtaService> {
  const { store, log } = deps;
  const stats: OtaServiceStats = { chunksServed: 0, bytesServed: 0, chunkErrors: 0, reports: 0, rejected: 0 };
  const connectOptions: IClientOptions = {
    clientId: options.clientId,
    username: options.username,
    password: options.password,
    protocolVersion: options.protocolVersion,
    clean: true,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
  };
  const client: MqttClient = mqtt.connect(options.url, connectOptions);
  const prefix = options.shareGroup && options.protocolVersion === 5 ? `$share/${options.shareGroup}/` : "";

  const serveChunk = async (nodeId: string, request: OtaChunkRequest): Promise<void> => {
    const image = await store.get(request.sha256);
    let chunk: OtaChunk;
    if (!image) chunk = { v: 1, sha256: request.sha256, offset: request.offset, error: "unknown-image" };
    else if (request.offset + request.length > image.sizeBytes) chunk = { v: 1, sha256: request.sha256, offset: request.offset, error: "out-of-range" };
    else {
      const bytes = await store.read(image.sha256, request.offset, request.length);
      chunk = { v: 1, sha256: image.sha256, offset: request.offset, data: Buffer.from(bytes).toString("base64") };
      stats.chunksServed++;
      stats.bytesServed += bytes.length;
    }
    if ("error" in chunk) stats.chunkErrors++;
    client.publish(otaTopic(nodeId, "chunk"), JSON.stringify(chunk), { qos: 0 });
  };

  client.handleMessage = (packet, done) => {
    const route = parseOtaTopic(packet.topic);
    const text = (packet.payload as Buffer).toString("utf8");
    const work = async () => {
      if (!route) return;
      if (route.channel === "get") {
        const decoded = decodeChunkRequest(text);
        if (!decoded.ok) {
          stats.rejected++;
          log("warn", "ota chunk request refused", { node: route.nodeId, reason: decoded.problem });
          return;
        }
        await serveChunk(route.nodeId, decoded.value);
      } else if (route.channel === "state") {
        const decoded = decodeOtaReport(route.nodeId, text);
        if (!decoded.ok) {
          stats.rejected++;
          log("warn", "ota report refused", { node: route.nodeId, reason: decoded.problem });
          return;
        }
        stats.reports++;
        await deps.engine().onReport(route.nodeId, decoded.value);
      }
    };
    work().then(
      () => done(),
      (error: Error) => {
        log("error", "ota message failed", { topic: packet.topic.slice(0, 120), error: error.message });
        done();
      },
    );
  };
  client.on("connect", () => (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true));
  client.on("error", (error) => log("warn", "ota connection error", { error: error.message }));

  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`OTA service could not reach the MQTT broker at ${redactUrl(options.url)} within 10 s`)), 10_000);
      client.once("connect", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    // Subscribed again on each reconnect: the session is clean.
    const subscribe = () => client.subscribeAsync(otaUplinkFilters().map((filter) => prefix + filter), { qos: 1 });
    await subscribe();
    client.on("connect", () => void subscribe().catch((error: Error) => log("warn", "ota resubscribe failed", { error: error.message })));
  } catch (error) {
    client.end(true);
    throw error;
  }
  log("info", "ota service subscribed", { broker: redactUrl(options.url) });

  return {
    stats,
    offer(nodeId: string, offer: OtaOffer) {
      client.publish(otaTopic(nodeId, "offer"), JSON.stringify(offer), { qos: 1 });
    },
    cancel(nodeId: string, cancel: OtaCancel) {
      client.publish(otaTopic(nodeId, "offer"), JSON.stringify(cancel), { qos: 1 });
    },
    async close() {
      await client.endAsync();
    },
  };
}
