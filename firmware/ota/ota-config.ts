import { BOARD_ID_PATTERN, OTA_NODE_KINDS, type OtaNodeKind } from "../../shared/ota";
import { isHex } from "./bytes";

/** How a node takes updates. Set at build time (mc/config on the device) or by the simulator. */
export interface OtaConfig {
  /** hardware/boards id this firmware runs on; an image for another board is refused. */
  board: string;
  kind: OtaNodeKind;
  /** Ed25519 public keys (64 hex digits) whose signatures the node accepts; more than one allows key rotation. */
  releaseKeys: string[];
  /** Download pace, so an update never crowds alarms off a weak link. */
  maxBytesPerSecond: number;
  /** A requested chunk that has not arrived by then is asked for again. */
  chunkTimeoutMs: number;
  /** Consecutive unanswered requests for one chunk before the download is given up. */
  maxChunkAttempts: number;
  /** A new image that has not confirmed its health within this long after booting is rolled back. */
  healthWindowMs: number;
  /** How long the new image must stay connected and healthy before it marks itself valid. */
  healthStableMs: number;
  /** How often a deferred update looks again whether the node is still busy. */
  busyRetryMs: number;
}

export const OTA_DEFAULTS: Omit<OtaConfig, "board" | "kind" | "releaseKeys"> = {
  maxBytesPerSecond: 16 * 1024,
  chunkTimeoutMs: 5000,
  maxChunkAttempts: 12,
  healthWindowMs: 5 * 60_000,
  healthStableMs: 30_000,
  busyRetryMs: 5000,
};

export function otaConfigProblem(config: OtaConfig): string | null {
  if (typeof config.board !== "string" || !BOARD_ID_PATTERN.test(config.board)) return "ota.board must be a board id";
  if (!(OTA_NODE_KINDS as readonly string[]).includes(config.kind)) return `ota.kind must be one of ${OTA_NODE_KINDS.join(", ")}`;
  if (!Array.isArray(config.releaseKeys) || config.releaseKeys.length === 0 || !config.releaseKeys.every((key) => isHex(key, 32))) {
    return "ota.releaseKeys must list at least one Ed25519 public key as 64 lowercase hex digits";
  }
  if (!(config.maxBytesPerSecond >= 256)) return "ota.maxBytesPerSecond must be at least 256";
  if (!(config.chunkTimeoutMs >= 100)) return "ota.chunkTimeoutMs must be at least 100";
  if (!(Number.isInteger(config.maxChunkAttempts) && config.maxChunkAttempts >= 1)) return "ota.maxChunkAttempts must be a positive integer";
  if (!(config.healthStableMs >= 0 && config.healthWindowMs > config.healthStableMs)) {
    return "ota.healthWindowMs must be longer than ota.healthStableMs";
  }
  if (!(config.busyRetryMs >= 100)) return "ota.busyRetryMs must be at least 100";
  return null;
}
