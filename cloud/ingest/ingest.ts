import { decodeNodeMessage, type RejectReason } from "../../shared/codec";
import type { AlarmMessage, NodeMessage } from "../../shared/messages";
import { MAX_PAYLOAD_BYTES } from "../../shared/protocol";
import { parseUplinkTopic } from "../../shared/topics";
import type { AlarmFeed } from "../alarms/alarm-feed";
import { ALARM_BURST, ALARM_REFILL_MS, NodeBudgets, tally } from "../alarms/node-budget";
import type { Db } from "../db/client";
import type { Logger } from "../log";
import { upsertSightingsSql } from "../nodes/queries";
import { GroupCommit } from "./group-commit";
import { RejectionLog, type NodeRejections } from "./rejection-log";
import { SightingBook, SIGHTINGS_EVERY_MS } from "./sighting-book";
import { SenderRules, type SenderRejectReason } from "./sender-rules";
import { MAX_BATCH, storeBatch, type StoredBatch, type StoreOutcome } from "./store-batch";

export type IngestOutcome = "stored" | "duplicate" | "rejected" | "failed";

export interface IngestStats {
  received: number;
  stored: number;
  duplicates: number;
  rejected: Record<RejectReason | SenderRejectReason, number>;
  /** The nodes with the most rejected messages (rejections are logged at most once a minute per node). */
  readonly rejectedByNode: Array<{ node: string } & NodeRejections>;
  /** Valid messages the database refused; logged with the error, and not acknowledged. */
  failed: number;
  /** Transactions written, and the largest number of messages one held. */
  batches: number;
  largestBatch: number;
}

export interface Ingest {
  /** Resolves once the message is stored (or known to be a copy), rejected, or failed to store. */
  handle(topic: string, payload: Uint8Array): Promise<IngestOutcome>;
  /** Resolves when everything handed in so far is written. */
  idle(): Promise<void>;
  readonly stats: IngestStats;
}

export interface IngestDeps {
  db: Db;
  feed: AlarmFeed;
  log: Logger;
  now: () => number;
  /** Most messages per transaction (default and ceiling: 1000). */
  maxBatch?: number;
  /** Resolves once what was committed is on disk (Database.durable); a message is acknowledged only after. */
  durable: () => Promise<void>;
  /**
   * Resolves when the cloud has no alarm in hand, or after at most `maxWaitMs` (Urgency.calm):
   * telemetry, statuses and heartbeats wait for it before each transaction. Default: no wait.
   */
  calm?: (maxWaitMs: number) => Promise<void>;
  /**
   * Marks an alarm in hand until it is stored (Urgency.begin), so bulk work waits for it as it
   * waits for the desk's: on another thread it would otherwise hold the database's one write lock
   * and fill the log the alarm's sync must flush. Default: nothing marked.
   */
  markUrgent?: () => () => void;
  /**
   * Reopens the database's connections (Database.reopen), called before a write is tried again
   * when the last attempt found the connection unable to commit ("SQL statements in progress"):
   * a statement a failed transaction left active keeps every later commit on that connection
   * failing until it is collected (bench:storm saw 200,000 writes fail so). Only for a
   * connection the ingest has to itself (the bulk thread's). Default: not reopened.
   */
  reopen?: () => Promise<void>;
  /** Told of every alarm stored and on disk, a copy too, so the node hears it is stored (AlarmReceipts). Default: nobody. */
  receipts?: { stored(message: AlarmMessage): void };
}

/** A group commit of the ingest's: the bulk and urgent lanes settle apart from their writes, the over-budget lane does not. */
type Lane = GroupCommit<NodeMessage, StoreOutcome, StoredBatch> | GroupCommit<NodeMessage, StoreOutcome>;

/** SQLite's answer to a COMMIT while a statement on the same connection is still active. */
const STUCK_CONNECTION = /statements in progress/i;

/**
 * Most alarms per transaction from nodes over their alarm budget: a flood is stored in small
 * transactions, so none of them holds the event loop long.
 */
const OVER_BUDGET_BATCH = 100;
/** How long telemetry, statuses and heartbeats gather before a transaction that is not full (GroupCommit). */
const BULK_GATHER_MS = 50;
/** Longest a bulk transaction waits for the incident desk's urgent work (IngestDeps.calm). */
const BULK_YIELD_MS = 1000;

const utf8 = new TextDecoder("utf-8", { fatal: true });
/** A write that fails is tried again this many times (a busy database clears quickly) before its messages count as failed. */
const WRITE_ATTEMPTS = 3;

/**
 * Validates each message a node sent and stores what it means. A malformed message is counted
 * under its reason and logged, never stored and never thrown: the next message must still flow.
 * Valid messages are written in batches ({@link GroupCommit}), one transaction each, and each
 * message's promise resolves only when its batch has committed: "acknowledge after store" holds
 * per message while the database sees few, large transactions.
 */
export function createIngest(deps: IngestDeps): Ingest {
  const { db, feed, log, now } = deps;
  const rejections = new RejectionLog(log, now);
  const senders = new SenderRules(db);
  const stats: IngestStats = {
    received: 0,
    stored: 0,
    duplicates: 0,
    failed: 0,
    rejected: {
      oversized: 0,
      "malformed-json": 0,
      "unknown-version": 0,
      "invalid-field": 0,
      "unknown-topic": 0,
      "topic-mismatch": 0,
      "not-for-this-node": 0,
      "out-of-range": 0,
    },
    get rejectedByNode() {
      return rejections.top();
    },
    batches: 0,
    largestBatch: 0,
  };

  const reject = (reason: RejectReason | SenderRejectReason, topic: string, detail: string): IngestOutcome => {
    stats.rejected[reason]++;
    rejections.record(parseUplinkTopic(topic)?.nodeId ?? topic.split("/").slice(0, 4).join("/").slice(0, 60), reason, topic, detail);
    return "rejected";
  };

  /** Writes a batch in one transaction, trying again while the database is busy. */
  const write = async (messages: NodeMessage[], book?: SightingBook): Promise<StoredBatch> => {
    let lastError: unknown;
    for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
      try {
        return await storeBatch(db, messages, now(), book);
      } catch (error) {
        lastError = error;
        if (attempt === 1) log("warn", "ingest write failed; trying again", { messages: messages.length, error: (error as Error).message });
        if (attempt < WRITE_ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
        if (deps.reopen && STUCK_CONNECTION.test((error as Error).message)) {
          log("warn", "ingest reopens its database connection: a failed transaction left it unable to commit");
          await deps.reopen().catch((reopenError: Error) => log("error", "ingest could not reopen its database connection", { error: reopenError.message }));
        }
      }
    }
    throw lastError;
  };
  /**
   * A batch committed: its new alarms are announced at once, while the disk is still syncing it.
   * The desk and the people need not wait for the disk (a sync took up to 70 ms in bench:storm,
   * BENCH_TRACE_SYNC), and nothing can be lost by not waiting: the incident the desk writes
   * comes after the alarm in the same log, so a power cut before the sync loses both or neither
   * (SQLite recovers a log only up to its first bad frame), and the node, not yet acknowledged,
   * sends the alarm again. At worst someone is told twice, never not at all.
   */
  const writeAndAnnounce = async (messages: NodeMessage[], book?: SightingBook): Promise<StoredBatch> => {
    const stored = await write(messages, book);
    for (const alarm of stored.newAlarms) feed.publish(alarm);
    return stored;
  };

  // Telemetry-only nodes' "last seen" written about once a second (SightingBook), by the bulk
  // lane's batches or, when none comes, by a write of its own. Those writes and the lane's go
  // one at a time, so a node's row is never written with older readings after newer ones. The
  // other lanes carry alarms, which have no readings, and write their nodes' rows at once.
  const book = new SightingBook();
  let bookTurn: Promise<unknown> = Promise.resolve();
  const inBookTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const run = bookTurn.then(work);
    bookTurn = run.catch(() => undefined);
    return run;
  };
  let sightingsTimer: NodeJS.Timeout | undefined;
  /** Writes what the book holds. A failure puts it back for the bulk lane's next batch to carry. */
  const writeWaitingSightings = async (): Promise<void> => {
    clearTimeout(sightingsTimer);
    sightingsTimer = undefined;
    await inBookTurn(async () => {
      // A transaction per write's worth of rows (SIGHTINGS_PER_WRITE): a loop's write waiting for the lock goes between them.
      for (let due = book.drain(); due.length > 0; due = book.drain()) {
        try {
          await db.$client.batch([upsertSightingsSql(due)], "write");
        } catch (error) {
          book.restore(due, now());
          log("warn", "ingest could not write when nodes were last seen; their next batch carries it", { nodes: due.length, error: (error as Error).message });
          return;
        }
      }
    });
  };
  const writeBulk = async (messages: NodeMessage[]): Promise<StoredBatch> => {
    const stored = await inBookTurn(() => writeAndAnnounce(messages, book));
    if (book.waiting > 0 && !sightingsTimer) {
      sightingsTimer = setTimeout(() => void writeWaitingSightings(), SIGHTINGS_EVERY_MS);
      sightingsTimer.unref();
    }
    return stored;
  };
  /** Once a written batch is on disk: counted, its messages answered (GroupCommit's settle). */
  const settle = async ({ outcomes }: StoredBatch): Promise<StoreOutcome[]> => {
    // On disk before a node is acknowledged: it deletes what is acknowledged.
    await deps.durable();
    stats.batches = bulk.batches + urgent.batches + overBudget.batches;
    stats.largestBatch = Math.max(bulk.largest, urgent.largest, overBudget.largest);
    return outcomes;
  };
  const maxBatch = Math.min(deps.maxBatch ?? MAX_BATCH, MAX_BATCH);
  const calm = deps.calm;
  const bulk = new GroupCommit<NodeMessage, StoreOutcome, StoredBatch>(
    calm
      ? async (items) => {
          await calm(BULK_YIELD_MS);
          return writeBulk(items);
        }
      : writeBulk,
    maxBatch,
    { gatherMs: BULK_GATHER_MS, settle },
  );
  // Alarms have a group commit of their own: behind a backlog of telemetry and heartbeats an
  // alarm waits for the transaction under way, not for the whole queue ahead of it (bench:storm).
  // A node over its alarm budget (raising alarms by the thousand) has them stored in small
  // transactions of a third lane, so none of its writes is long and another node's alarm waits
  // at most for one of them.
  const urgent = new GroupCommit<NodeMessage, StoreOutcome, StoredBatch>((items) => writeAndAnnounce(items), maxBatch, { settle });
  // Not pipelined: a flood's next transaction waits for the last one's sync, so the loop is free
  // between them for everyone else's alarms and the API (bench:flood).
  const overBudget = new GroupCommit<NodeMessage, StoreOutcome>(
    async (items) => {
      // A node's first alarms past its budget wait for its alarms still on their way in the
      // urgent lane, so its alarms are stored in the order they came.
      while (items.some((message) => urgentInFlight.has(message.node))) await urgent.idle();
      return settle(await writeAndAnnounce(items));
    },
    Math.min(OVER_BUDGET_BATCH, maxBatch),
  );
  const budgets = new NodeBudgets(ALARM_BURST, ALARM_REFILL_MS);
  /** Alarms per node handed to the over-budget lane and not yet stored: while any are, the node's next alarms follow them, in order. */
  const behind = new Map<string, number>();
  /** Alarms per node handed to the urgent lane and not yet stored. */
  const urgentInFlight = new Map<string, number>();
  const laneFor = (message: NodeMessage): Lane => {
    if (message.type !== "alarm") return bulk;
    const lane = !behind.has(message.node) && budgets.take(message.node, now()) ? urgent : overBudget;
    tally(lane === urgent ? urgentInFlight : behind, message.node, 1);
    return lane;
  };
  const settled = (message: NodeMessage, lane: Lane) => {
    if (lane !== bulk) tally(lane === urgent ? urgentInFlight : behind, message.node, -1);
  };

  return {
    stats,
    idle: async () => {
      await Promise.all([bulk.idle(), urgent.idle(), overBudget.idle()]);
      await writeWaitingSightings();
    },
    async handle(topic, payload) {
      stats.received++;
      if (payload.byteLength > MAX_PAYLOAD_BYTES) {
        return reject("oversized", topic, `payload is ${payload.byteLength} bytes; the limit is ${MAX_PAYLOAD_BYTES}`);
      }
      let text: string;
      try {
        text = utf8.decode(payload);
      } catch {
        return reject("malformed-json", topic, "payload is not UTF-8");
      }
      const decoded = decodeNodeMessage(topic, text, payload.byteLength);
      if (!decoded.ok) return reject(decoded.reason, topic, decoded.detail);
      const message = decoded.message;
      const checked = senders.check(message);
      const refused = checked instanceof Promise ? await checked : checked;
      if (refused) return reject(refused.reason, topic, refused.detail);
      const lane = laneFor(message);
      const inHand = lane === urgent ? deps.markUrgent?.() : undefined;
      try {
        // One lane per node: a node flooding the ingest waits behind its own messages, not others' (GroupCommit).
        // The bulk lane keeps no count to settle: no extra promise per telemetry message.
        const adding = lane.add(message, message.node);
        const outcome = await (lane === bulk ? adding : adding.finally(() => settled(message, lane)));
        if (outcome === "duplicate") stats.duplicates++;
        else stats.stored++;
        if (message.type === "alarm") deps.receipts?.stored(message);
        return outcome;
      } catch (error) {
        stats.failed++;
        log("error", "ingest could not store a message", { topic, error: (error as Error).message });
        return "failed";
      } finally {
        inHand?.();
      }
    },
  };
}
