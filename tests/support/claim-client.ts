import mqtt from "mqtt";
import { randomBytes } from "node:crypto";
import { claimClientId, claimUsername, decodeClaimResponse, encodeClaimRequest, xorHex, type ClaimRefusal } from "../../shared/claim";
import type { NodeKind } from "../../shared/node-kinds";
import { claimTopic } from "../../shared/topics";

export type ClaimOutcome = { ok: true; nodeId: string; username: string; password: string } | { ok: false; reason: ClaimRefusal | "broker-refused" | "timeout"; message: string };

/**
 * A node's claim done by a plain mqtt.js client rather than firmware in XS: the same messages on
 * the same topics with the same credential (MQTT 3.1.1, as the ESP32's client speaks), for tests
 * and benchmarks that need many claims quickly.
 */
export async function claimOverMqtt(
  url: string,
  claim: { batch: string; secret: string; serial: string; board: string; kind: NodeKind },
  timeoutMs = 30_000,
): Promise<ClaimOutcome> {
  let client: mqtt.MqttClient;
  try {
    client = await mqtt.connectAsync(url, {
      clientId: claimClientId(claim.serial),
      username: claimUsername(claim.batch),
      password: claim.secret,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: timeoutMs,
    });
  } catch (error) {
    return { ok: false, reason: "broker-refused", message: (error as Error).message };
  }
  try {
    const pad = randomBytes(32).toString("hex");
    const answer = new Promise<ClaimOutcome>((resolve) => {
      const timer = setTimeout(() => resolve({ ok: false, reason: "timeout", message: `no answer within ${timeoutMs} ms` }), timeoutMs);
      client.on("message", (_topic, payload) => {
        const decoded = decodeClaimResponse(payload.toString("utf8"));
        if (!decoded.ok) return;
        clearTimeout(timer);
        const response = decoded.value;
        resolve(response.ok ? { ok: true, nodeId: response.nodeId, username: response.username, password: xorHex(response.sealedPassword, pad) } : { ok: false, reason: response.reason, message: response.message });
      });
    });
    await client.subscribeAsync(claimTopic(claim.batch, claim.serial, "resp"), { qos: 1 });
    await client.publishAsync(
      claimTopic(claim.batch, claim.serial, "req"),
      encodeClaimRequest({ v: 1, serial: claim.serial, batch: claim.batch, board: claim.board, kind: claim.kind, firmware: "0.1.0-bench", pad }),
      { qos: 1 },
    );
    return await answer;
  } finally {
    await client.endAsync(true);
  }
}
