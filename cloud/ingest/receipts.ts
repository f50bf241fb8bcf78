import type { AlarmMessage } from "../../shared/messages";
import { encodeReceipt, MAX_RECEIPT_SEQS } from "../../shared/receipts";
import { storedTopic } from "../../shared/topics";

/** Sends one MQTT message at most once (QoS 0); dropped while the broker is away. */
export type PublishAtMostOnce = (topic: string, payload: string) => void;

/**
 * Tells each node which of its alarms the cloud has stored (shared/receipts.ts), so the node's
 * outbox can let them go: the broker's PUBACK only says the broker has them. The ingest reports
 * each alarm once it is on disk, a copy too (the node sent it again because no receipt came);
 * those of one turn of the event loop go out together, one message per node and boot.
 *
 * QoS 0 on purpose: a receipt lost costs the node one more send of the alarm and the cloud one
 * duplicate, which it receipts again; a QoS 1 receipt would wait in the broker for a node that
 * is away, which sends its unreceipted alarms again when it is back anyway.
 */
export class AlarmReceipts {
  #publish: PublishAtMostOnce | undefined;
  #pending = new Map<string, { node: string; boot: number; seqs: number[] }>();
  #scheduled = false;
  /** Receipts sent, and alarms they named. */
  sent = 0;
  named = 0;

  constructor(publish?: PublishAtMostOnce) {
    this.#publish = publish;
  }

  /** Where receipts go from now on (the command publisher, which connects after the ingest starts). Until then none are sent: nodes send again. */
  attach(publish: PublishAtMostOnce): void {
    this.#publish = publish;
  }

  /** An alarm is stored and on disk. */
  stored(message: AlarmMessage): void {
    if (!this.#publish) return;
    const key = `${message.node}\u0000${message.boot}`;
    let entry = this.#pending.get(key);
    if (!entry) this.#pending.set(key, (entry = { node: message.node, boot: message.boot, seqs: [] }));
    entry.seqs.push(message.seq);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.#flush());
    }
  }

  #flush(): void {
    this.#scheduled = false;
    const publish = this.#publish;
    const pending = this.#pending;
    this.#pending = new Map();
    if (!publish) return;
    for (const { node, boot, seqs } of pending.values()) {
      for (let from = 0; from < seqs.length; from += MAX_RECEIPT_SEQS) {
        const part = seqs.slice(from, from + MAX_RECEIPT_SEQS);
        publish(storedTopic(node), encodeReceipt({ boot, seqs: part }));
        this.sent++;
        this.named += part.length;
      }
    }
  }
}
