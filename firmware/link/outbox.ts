import type { KeyValueStore } from "../ports/storage";

/** What may be dropped first when the outbox is full: telemetry, then events; alarms never. */
export const OUTBOX_TELEMETRY = 0;
export const OUTBOX_EVENT = 1;
export const OUTBOX_ALARM = 2;
export type OutboxPriority = typeof OUTBOX_TELEMETRY | typeof OUTBOX_EVENT | typeof OUTBOX_ALARM;

export interface OutboxEntry {
  /** Position in the node's send order; grows across reboots (the next boot continues after the largest stored). */
  readonly order: number;
  readonly priority: OutboxPriority;
  readonly topic: string;
  readonly payload: string;
  /** Flash slot; -1 while the entry is held in RAM only (every slot holds an unsent alarm). */
  slot: number;
  /** MQTT packet id while in flight on the current connection, else 0. */
  packetId: number;
  /** Times the broker acknowledged it (RAM only). */
  acks: number;
  /**
   * An alarm the broker acknowledged, kept until the cloud's receipt says it is stored
   * (shared/receipts.ts): when to send it again if none has come. 0: not waiting (RAM only; after
   * a reboot a kept alarm simply goes again).
   */
  receiptDueAt: number;
}

export interface OutboxOptions {
  storage: KeyValueStore;
  /** Flash slots. On an ESP32's default 24 KB NVS partition about 32 alarms fit beside the other keys. */
  capacity: number;
  /** Alarms held in RAM when every slot holds an unsent alarm. */
  overflowCapacity?: number;
  /** Key prefix; slot keys are `<prefix><index>` and must stay within NVS's 15 characters. */
  keyPrefix?: string;
  /**
   * A flash write or delete failed (NVS full, worn, busy). The entry stays in RAM and is sent
   * from there; the outbox tries flash again when a slot frees. Told once per failure.
   */
  onFlashError?: (error: Error) => void;
}

export interface OutboxDropped {
  telemetry: number;
  event: number;
  alarm: number;
}

/** NVS stores a string value of at most 4000 bytes (ESP-IDF `nvs_set_str`, Moddable `preference`). */
const MAX_SLOT_BYTES = 4000;
const MAX_CAPACITY = 999;

/**
 * The node's store-and-forward queue, kept in fixed slots of its key-value flash (NVS on an
 * ESP32) so it outlives a reset: an alarm is written before it is sent and deleted when the
 * cloud's receipt says it is stored (or, while the cloud sends none, on the broker's PUBACK:
 * uplink.ts decides through `acknowledge`'s `receiptDue`); events and acks on their PUBACK.
 * Each slot holds `<order> <priority> <topic>\n<payload>`; at boot the slots are read back and
 * sorted by order, so what was unsent goes out first, in the order it was raised, under its
 * original (boot, seq) — which is how the cloud recognises a copy.
 *
 * Bounded: when every slot is taken, a new message evicts the oldest entry of a lower priority
 * (telemetry first, then events), and a new telemetry message replaces the oldest telemetry.
 * An alarm never evicts an alarm that has not reached the broker (it may take the slot of one
 * the broker acknowledged whose receipt has not come, counted in `unconfirmed`): with every slot
 * holding one, further alarms wait in RAM (`overflowCapacity`) and move to flash as slots free
 * up. Only past that is an alarm refused, and that is counted and logged, never silent.
 *
 * Flash can fail under it: a write that throws (NVS full) leaves the entry in RAM, still sent,
 * and is reported through `onFlashError`; it never throws into the detector that raised the
 * alarm. A slot torn by a power cut part-way through its write fails its checksum at the next
 * boot and is dropped (counted in `torn`) instead of going out as garbage. ESP-IDF's NVS already
 * writes an entry atomically (ESP-IDF "Non-Volatile Storage Library", "Internals": an entry is
 * valid only once its state bits say written), so on the ESP32 the checksum guards the other
 * stores this port may sit on and the simulator's fault injection.
 */
export class Outbox {
  readonly capacity: number;
  readonly dropped: OutboxDropped = { telemetry: 0, event: 0, alarm: 0 };
  /** Flash writes or deletes that failed since boot. */
  flashErrors = 0;
  /** Slots found torn (failed checksum) at load. */
  torn = 0;
  /** Alarms the broker acknowledged that left without the cloud's receipt, to make room for a newer alarm. */
  unconfirmed = 0;
  #storage: KeyValueStore;
  #onFlashError: ((error: Error) => void) | undefined;
  #inFlight = 0;
  #prefix: string;
  #overflowCapacity: number;
  /** Sorted by order. */
  #entries: OutboxEntry[] = [];
  #free: number[] = [];
  #nextOrder = 1;
  #alarms = 0;
  #ramOnly = 0;

  constructor(options: OutboxOptions) {
    const prefix = options.keyPrefix ?? "ob";
    if (!(Number.isInteger(options.capacity) && options.capacity >= 1 && options.capacity <= MAX_CAPACITY)) {
      throw new RangeError(`outbox capacity must be 1–${MAX_CAPACITY} slots`);
    }
    if (prefix.length + String(MAX_CAPACITY).length > 15) throw new RangeError("outbox key prefix leaves no room for a slot number in a 15-character key");
    this.capacity = options.capacity;
    this.#storage = options.storage;
    this.#prefix = prefix;
    this.#overflowCapacity = options.overflowCapacity ?? 32;
    this.#onFlashError = options.onFlashError;
  }

  /**
   * Reads back what an earlier boot left unsent. Slots beyond the current capacity (a build with
   * a smaller outbox) are read too and moved into free slots. Returns the number of entries restored.
   */
  load(): number {
    const storage = this.#storage;
    const capacityKey = `${this.#prefix}n`;
    const storedCapacity = storage.get(capacityKey);
    const previousCapacity = Number(storedCapacity ?? 0);
    const scan = Math.max(this.capacity, Number.isInteger(previousCapacity) && previousCapacity <= MAX_CAPACITY ? previousCapacity : 0);
    const restored: OutboxEntry[] = [];
    const used: boolean[] = [];
    for (let slot = 0; slot < scan; slot++) {
      const key = this.#prefix + slot;
      const value = storage.get(key);
      if (value === undefined) continue;
      const entry = parseSlot(value, slot);
      if (!entry) {
        this.torn++;
        this.#delete(key);
        continue;
      }
      if (slot >= this.capacity) {
        this.#delete(key);
        entry.slot = -1;
      } else {
        used[slot] = true;
      }
      restored.push(entry);
    }
    if (storedCapacity !== String(this.capacity)) this.#write(capacityKey, String(this.capacity));
    restored.sort((a, b) => a.order - b.order);
    this.#entries = restored;
    this.#free = [];
    for (let slot = this.capacity - 1; slot >= 0; slot--) if (!used[slot]) this.#free.push(slot);
    this.#alarms = 0;
    this.#ramOnly = 0;
    this.#inFlight = 0;
    for (const entry of restored) {
      if (entry.priority === OUTBOX_ALARM) this.#alarms++;
      if (entry.slot < 0) this.#ramOnly++;
      if (entry.order >= this.#nextOrder) this.#nextOrder = entry.order + 1;
    }
    this.#persistWaiting();
    return restored.length;
  }

  /** Entries waiting or in flight. */
  get depth(): number {
    return this.#entries.length;
  }

  get alarms(): number {
    return this.#alarms;
  }

  /**
   * Entries sent and awaiting their PUBACK. Kept here, not by the sender, because an entry can
   * leave while in flight (evicted by a higher priority when the outbox is full), and its PUBACK
   * then matches nothing: a sender counting for itself would wait forever on it.
   */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Writes a message to flash and queues it. Returns false when it was dropped (counted in
   * `dropped`); an alarm is only ever dropped when flash and the RAM overflow are both full of alarms.
   */
  push(priority: OutboxPriority, topic: string, payload: string): boolean {
    const entry: OutboxEntry = { order: this.#nextOrder, priority, topic, payload, slot: -1, packetId: 0, acks: 0, receiptDueAt: 0 };
    if (utf8Length(payload) + topic.length + 24 > MAX_SLOT_BYTES) {
      // Larger than an NVS value: an alarm still goes, from RAM; anything else is refused.
      if (priority !== OUTBOX_ALARM) return this.#drop(priority);
      return this.#keepInRam(entry);
    }
    let slot = this.#free.pop();
    if (slot === undefined) {
      const victim = this.#victimFor(priority);
      if (!victim) return priority === OUTBOX_ALARM ? this.#keepInRam(entry) : this.#drop(priority);
      slot = victim.slot;
      this.#remove(victim, false);
      this.#free.pop();
      if (victim.priority === OUTBOX_ALARM) this.unconfirmed++;
      else this.#drop(victim.priority);
    }
    if (!this.#write(this.#prefix + slot, serialize(entry))) {
      // Flash refused it: the slot is no use now, and the message is kept in RAM instead.
      this.#free.push(slot);
      return priority === OUTBOX_ALARM ? this.#keepInRam(entry) : this.#drop(priority);
    }
    entry.slot = slot;
    this.#append(entry);
    return true;
  }

  /** Alarms the broker acknowledged that wait for the cloud's receipt. */
  get awaitingReceipt(): number {
    let count = 0;
    for (const entry of this.#entries) if (entry.receiptDueAt > 0) count++;
    return count;
  }

  /** The oldest entry not yet sent on this connection (an alarm waiting for its receipt is not due). */
  nextToSend(): OutboxEntry | undefined {
    for (const entry of this.#entries) if (entry.packetId === 0 && entry.receiptDueAt === 0) return entry;
    return undefined;
  }

  /** Marks an entry as sent under `packetId`, to be removed by its PUBACK. */
  sent(entry: OutboxEntry, packetId: number): void {
    if (entry.packetId === 0 && packetId !== 0) this.#inFlight++;
    entry.packetId = packetId;
  }

  /** Removes an entry whose delivery needs no acknowledgement (telemetry, sent QoS 0). */
  discard(entry: OutboxEntry): void {
    this.#remove(entry, true);
  }

  /**
   * The broker's PUBACK: the entry is delivered and leaves flash — unless it is an alarm and
   * `receiptDue` gives a time (> 0) by which the cloud's receipt should come: then it stays, not
   * sent again before that time. False for an id the outbox does not hold.
   */
  acknowledge(packetId: number, receiptDue?: (entry: OutboxEntry) => number): boolean {
    if (packetId === 0) return false;
    for (const entry of this.#entries) {
      if (entry.packetId === packetId) {
        entry.acks++;
        const dueAt = receiptDue && entry.priority === OUTBOX_ALARM ? receiptDue(entry) : 0;
        if (dueAt > 0) {
          entry.packetId = 0;
          this.#inFlight--;
          entry.receiptDueAt = dueAt;
        } else {
          this.#remove(entry, true);
        }
        return true;
      }
    }
    return false;
  }

  /**
   * The cloud's receipt for alarms of `boot` with these seqs: they are stored, and leave flash
   * whatever their state (a copy still in flight is acknowledged into nothing). Returns how many
   * it held. One pass, each alarm's payload parsed once: receipts are rare and few alarms wait.
   */
  confirm(boot: number, seqs: readonly number[]): number {
    let confirmed = 0;
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      const entry = this.#entries[i];
      if (entry.priority !== OUTBOX_ALARM) continue;
      const header = messageHeader(entry.payload);
      if (header?.boot !== boot || !seqs.includes(header.seq)) continue;
      this.#remove(entry, true);
      confirmed++;
    }
    return confirmed;
  }

  /** Alarms whose receipt is overdue go again; returns how many. */
  resendOverdue(now: number): number {
    let count = 0;
    for (const entry of this.#entries) {
      if (entry.receiptDueAt > 0 && entry.receiptDueAt <= now) {
        entry.receiptDueAt = 0;
        count++;
      }
    }
    return count;
  }

  /**
   * After a disconnect: everything in flight is unacknowledged and goes again, in order; so does
   * every alarm still waiting for its receipt (a broker that restarted may have lost it).
   */
  requeueInFlight(): void {
    for (const entry of this.#entries) {
      entry.packetId = 0;
      entry.receiptDueAt = 0;
    }
    this.#inFlight = 0;
  }

  #victimFor(priority: OutboxPriority): OutboxEntry | undefined {
    // Lowest priority first, oldest first within it; a telemetry message may replace older telemetry.
    for (let victimPriority = OUTBOX_TELEMETRY; victimPriority <= OUTBOX_EVENT; victimPriority++) {
      if (victimPriority > priority || (victimPriority === priority && priority !== OUTBOX_TELEMETRY)) break;
      for (const entry of this.#entries) if (entry.priority === victimPriority && entry.slot >= 0) return entry;
    }
    // A new alarm, with every slot an alarm's: it takes the slot of the oldest the broker already
    // acknowledged and whose receipt has not come, rather than wait in RAM. That one had reached
    // the broker at least once; the new one has reached nothing.
    if (priority === OUTBOX_ALARM) {
      for (const entry of this.#entries) if (entry.acks > 0 && entry.packetId === 0 && entry.slot >= 0) return entry;
    }
    return undefined;
  }

  #keepInRam(entry: OutboxEntry): boolean {
    if (this.#ramOnly >= this.#overflowCapacity) return this.#drop(OUTBOX_ALARM);
    this.#ramOnly++;
    this.#append(entry);
    return true;
  }

  #append(entry: OutboxEntry): void {
    this.#nextOrder = entry.order + 1;
    this.#entries.push(entry);
    if (entry.priority === OUTBOX_ALARM) this.#alarms++;
  }

  #remove(entry: OutboxEntry, freeSlot: boolean): void {
    const index = this.#entries.indexOf(entry);
    if (index < 0) return;
    this.#entries.splice(index, 1);
    if (entry.packetId !== 0) this.#inFlight--;
    if (entry.priority === OUTBOX_ALARM) this.#alarms--;
    if (entry.slot < 0) {
      this.#ramOnly--;
      return;
    }
    this.#free.push(entry.slot);
    if (freeSlot) {
      this.#delete(this.#prefix + entry.slot);
      this.#persistWaiting();
    }
  }

  /** Moves RAM-held entries into free slots, oldest first. */
  #persistWaiting(): void {
    if (this.#ramOnly === 0) return;
    for (const entry of this.#entries) {
      if (entry.slot >= 0) continue;
      if (utf8Length(entry.payload) + entry.topic.length + 24 > MAX_SLOT_BYTES) continue;
      const slot = this.#free.pop();
      if (slot === undefined) return;
      if (!this.#write(this.#prefix + slot, serialize(entry))) {
        this.#free.push(slot);
        return;
      }
      entry.slot = slot;
      this.#ramOnly--;
    }
  }

  #write(key: string, value: string): boolean {
    try {
      this.#storage.set(key, value);
      return true;
    } catch (error) {
      this.#flashFailed(error);
      return false;
    }
  }

  #delete(key: string): void {
    try {
      this.#storage.delete(key);
    } catch (error) {
      // A slot that could not be deleted is sent again after a reboot: a copy the cloud drops.
      this.#flashFailed(error);
    }
  }

  #flashFailed(error: unknown): void {
    this.flashErrors++;
    this.#onFlashError?.(error instanceof Error ? error : new Error(String(error)));
  }

  #drop(priority: OutboxPriority): false {
    if (priority === OUTBOX_TELEMETRY) this.dropped.telemetry++;
    else if (priority === OUTBOX_EVENT) this.dropped.event++;
    else this.dropped.alarm++;
    return false;
  }
}

/** `<order> <priority> <topic> <check>\n<payload>`; the check covers everything but itself. */
function serialize(entry: OutboxEntry): string {
  const body = `${entry.order} ${entry.priority} ${entry.topic}`;
  return `${body} ${checksum(body, entry.payload)}\n${entry.payload}`;
}

function parseSlot(value: string, slot: number): OutboxEntry | null {
  const newline = value.indexOf("\n");
  if (newline < 0) return null;
  const header = value.slice(0, newline).split(" ");
  // Three fields: a slot written before the check existed, taken as it is.
  if (header.length !== 3 && header.length !== 4) return null;
  const order = Number(header[0]);
  const priority = Number(header[1]);
  const payload = value.slice(newline + 1);
  if (!(Number.isSafeInteger(order) && order > 0)) return null;
  if (priority !== OUTBOX_TELEMETRY && priority !== OUTBOX_EVENT && priority !== OUTBOX_ALARM) return null;
  if (header.length === 4 && header[3] !== checksum(`${header[0]} ${header[1]} ${header[2]}`, payload)) return null;
  return { order, priority, topic: header[2], payload, slot, packetId: 0, acks: 0, receiptDueAt: 0 };
}

/**
 * FNV-1a (32 bit) over the header and the payload, in hex: enough to tell a slot cut short by a
 * power loss from a whole one, and cheap in XS (no crypt module, no allocation per character).
 */
export function checksum(header: string, payload: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < header.length; i++) hash = Math.imul(hash ^ header.charCodeAt(i), 0x01000193);
  hash = Math.imul(hash ^ 10, 0x01000193);
  for (let i = 0; i < payload.length; i++) hash = Math.imul(hash ^ payload.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16);
}

/** A stored message's (boot, seq), or undefined for a payload that does not parse. */
function messageHeader(payload: string): { boot: unknown; seq: number } | undefined {
  try {
    const message = JSON.parse(payload) as { boot?: unknown; seq?: unknown };
    return typeof message.seq === "number" ? { boot: message.boot, seq: message.seq } : undefined;
  } catch {
    return undefined;
  }
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // A surrogate pair is one 4-byte character: 2 + 2.
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code >= 0xd800 && code <= 0xdfff ? 2 : 3;
  }
  return bytes;
}
