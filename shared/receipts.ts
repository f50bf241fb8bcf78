import { PROTOCOL_VERSION } from "./protocol";

/**
 * The cloud's receipt for a node's alarms: which (boot, seq) it has stored, on the node's
 * `cmd/stored` topic (topics.ts), QoS 0. The broker's PUBACK says only that the broker has an
 * alarm; a broker that restarts without its persistence, or a NATS cluster that loses a stream's
 * messages across a restart (bench:ha measured one), drops alarms the node already let go. With
 * the receipt the node keeps each alarm until the cloud says it is stored, and sends it again if
 * no receipt comes (firmware/link/outbox.ts); a copy costs the cloud a duplicate it drops by
 * (node, boot, seq), and is receipted again.
 *
 *   {"v":1,"boot":<boot id>,"seqs":[<seq>, …]}    at most MAX_RECEIPT_SEQS seqs, all of one boot
 *
 * Runs on XS and Node: no Node API, no allocation beyond the parse.
 */
export interface StoredReceipt {
  boot: number;
  seqs: number[];
}

/** Most seqs in one receipt: a node's flash holds about 32 alarms, so one receipt covers a replay. */
export const MAX_RECEIPT_SEQS = 64;

export function encodeReceipt(receipt: StoredReceipt): string {
  return JSON.stringify({ v: PROTOCOL_VERSION, boot: receipt.boot, seqs: receipt.seqs });
}

const isCount = (value: unknown): value is number => typeof value === "number" && Number.isSafeInteger(value) && value >= 0;

/** The receipt in `text`, or null for anything else (never throws: it comes off the network). */
export function decodeReceipt(text: string): StoredReceipt | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof raw !== "object" || raw === null) return null;
  const { v, boot, seqs } = raw as { v?: unknown; boot?: unknown; seqs?: unknown };
  if (v !== PROTOCOL_VERSION || !isCount(boot) || !Array.isArray(seqs) || seqs.length === 0 || seqs.length > MAX_RECEIPT_SEQS) return null;
  for (const seq of seqs) if (!isCount(seq) || seq === 0) return null;
  return { boot, seqs: seqs as number[] };
}
