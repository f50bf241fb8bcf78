import type { OtaReport, OtaState } from "../../shared/ota";
import { otaTopic } from "../../shared/topics";
import type { Clock } from "../ports/clock";
import type { MqttSession } from "../ports/mqtt";

export interface ReportFields {
  campaign: string | null;
  state: OtaState;
  version: string | null;
  progress?: number;
  reason?: string;
}

interface Pending {
  topic: string;
  payload: string;
  packetId: number;
  onAcked: (() => void) | undefined;
}

/**
 * Sends the node's OTA state up at QoS 1 and keeps the latest report per campaign until the
 * broker acknowledges it; after a reconnect the unacknowledged ones go again. Only the latest
 * matters (each report states where things stand), so older ones are replaced, not queued.
 * SEAM(issue 5): the persistent outbox can carry these once it lands.
 */
export class OtaReporter {
  #mqtt: MqttSession;
  #clock: Clock;
  #identity: { node: string; boot: number; running: string; board: string; kind: string };
  #pending = new Map<string, Pending>();
  #connected = false;

  constructor(options: { mqtt: MqttSession; clock: Clock; nodeId: string; bootId: number; running: string; board: string; kind: string }) {
    this.#mqtt = options.mqtt;
    this.#clock = options.clock;
    this.#identity = { node: options.nodeId, boot: options.bootId, running: options.running, board: options.board, kind: options.kind };
  }

  /** Reports `fields`; `onAcked` runs once the broker has it. */
  send(fields: ReportFields, onAcked?: () => void): void {
    const { node, boot, running, board, kind } = this.#identity;
    const report: OtaReport = { v: 1, node, boot, t: Math.floor(this.#clock.now()), ...fields, running, board, kind };
    const key = fields.campaign ?? "";
    // A newer report replaces an unacknowledged one; whoever waited for the older one's
    // acknowledgement is served by the newer's, which says at least as much.
    const earlier = this.#pending.get(key)?.onAcked;
    const callback = earlier && onAcked ? () => (earlier(), onAcked()) : (earlier ?? onAcked);
    const pending: Pending = { topic: otaTopic(node, "state"), payload: JSON.stringify(report), packetId: 0, onAcked: callback };
    this.#pending.set(key, pending);
    if (this.#connected) pending.packetId = this.#mqtt.publish(pending.topic, pending.payload, 1);
  }

  onConnected(): void {
    this.#connected = true;
    for (const pending of this.#pending.values()) pending.packetId = this.#mqtt.publish(pending.topic, pending.payload, 1);
  }

  onDisconnected(): void {
    this.#connected = false;
  }

  /** True when the acknowledgement was for one of these reports. */
  onPublished(packetId: number): boolean {
    for (const [key, pending] of this.#pending) {
      if (pending.packetId !== packetId || packetId === 0) continue;
      this.#pending.delete(key);
      pending.onAcked?.();
      return true;
    }
    return false;
  }
}
