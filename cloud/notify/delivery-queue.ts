import type { Logger } from "../log";
import type { Scheduler } from "../time/scheduler";
import type { SendOutcome } from "./providers/channel";

/** `calling`: a call placed, delivered only once the provider reports it answered (the notifier asks later). */
export type SendResult = "sent" | "no-listener" | "calling";

export interface DeliveryOutcome {
  status: SendResult | "retrying" | "failed";
  attempts: number;
  error?: string;
  /** When a retrying delivery is due again. */
  retryAtMs?: number;
}

/** A failure that retrying cannot fix (a webhook answering 400): give up at once. */
export class PermanentDeliveryError extends Error {
  override name = "PermanentDeliveryError";
}

/** A failure that may pass; `afterMs` is the provider's own wait (DingTalk's 10-minute throttle), at least the backoff. */
export class RetryLaterError extends Error {
  override name = "RetryLaterError";
  constructor(
    message: string,
    readonly afterMs?: number,
  ) {
    super(message);
  }
}

/** A provider's answer as the queue acts on it: accepted is sent; the rest throw the matching error. */
export function sentOrThrow(outcome: SendOutcome): "sent" {
  if (outcome.status === "accepted") return "sent";
  if (outcome.status === "permanent") throw new PermanentDeliveryError(outcome.reason);
  throw new RetryLaterError(outcome.reason, outcome.afterMs);
}

export interface DeliveryQueueOptions<J> {
  name: string;
  /** Sends in flight at once on this queue. */
  concurrency: number;
  maxAttempts: number;
  /** Wait before attempt `attempt + 1`, after `attempt` failures. */
  backoffMs(attempt: number): number;
  scheduler: Scheduler;
  log: Logger;
  send(job: J): Promise<SendResult>;
  record(job: J, outcome: DeliveryOutcome): Promise<void> | void;
  /**
   * Which waiting job goes first: the lowest rank (a whole number from 0), then the earliest
   * queued. Without it every job ranks 0: first in, first out.
   */
  rank?(job: J): number;
}

/** Ranks past this wait together, in order of arrival. */
const MAX_RANK = 31;

interface Entry<J> {
  job: J;
  attempts: number;
  rank: number;
}

/**
 * One channel's own line of work. Each channel (and each webhook endpoint) has its own queue,
 * so a channel that hangs or fails fills only its own line and never delays another's. Jobs
 * waiting for a free send go by rank, then in order of arrival.
 */
export class DeliveryQueue<J> {
  /** Waiting jobs, one first-in-first-out line per rank. */
  #waiting: Entry<J>[][] = [];
  #waitingCount = 0;
  #active = 0;
  /** Sends answered whose outcome is being written: no longer holding a place, not yet done. */
  #recording = 0;
  #retriesPending = 0;
  #idle: Array<() => void> = [];
  #cancels = new Set<() => void>();
  #closed = false;

  constructor(private readonly options: DeliveryQueueOptions<J>) {}

  /**
   * Queues a job. One taken up after a restart brings the attempts it already had, and waits
   * until its retry was due.
   */
  push(job: J, resumed: { attempts?: number; notBeforeMs?: number } = {}): void {
    if (this.#closed) return;
    const rank = Math.min(MAX_RANK, Math.max(0, Math.floor(this.options.rank?.(job) ?? 0)));
    const entry = { job, attempts: resumed.attempts ?? 0, rank };
    const waitMs = (resumed.notBeforeMs ?? 0) - this.options.scheduler.now();
    if (waitMs > 0) this.#later(entry, waitMs);
    else {
      this.#wait(entry);
      this.#pump();
    }
  }

  #wait(entry: Entry<J>): void {
    while (this.#waiting.length <= entry.rank) this.#waiting.push([]);
    this.#waiting[entry.rank].push(entry);
    this.#waitingCount++;
  }

  #next(): Entry<J> | undefined {
    for (const line of this.#waiting) {
      if (line.length) {
        this.#waitingCount--;
        return line.shift();
      }
    }
    return undefined;
  }

  #later(entry: Entry<J>, waitMs: number): void {
    this.#retriesPending++;
    const cancel = this.options.scheduler.at(this.options.scheduler.now() + waitMs, () => {
      this.#cancels.delete(cancel);
      this.#retriesPending--;
      if (this.#closed) return;
      this.#wait(entry);
      this.#pump();
    });
    this.#cancels.add(cancel);
  }

  /** Jobs waiting, in flight or being recorded (not counting retries scheduled for later). */
  get depth(): number {
    return this.#waitingCount + this.#active + this.#recording;
  }

  get retriesPending(): number {
    return this.#retriesPending;
  }

  /** Resolves when nothing is waiting or in flight. */
  idle(): Promise<void> {
    if (this.depth === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  close(): void {
    this.#closed = true;
    this.#waiting = [];
    this.#waitingCount = 0;
    for (const cancel of this.#cancels) cancel();
    this.#cancels.clear();
  }

  #pump(): void {
    while (!this.#closed && this.#active < this.options.concurrency && this.#waitingCount) {
      const entry = this.#next()!;
      this.#active++;
      void this.#run(entry);
    }
  }

  async #run(entry: Entry<J>): Promise<void> {
    let placeFreed = false;
    // The provider has answered: the send's place is free before its outcome is written. That
    // write may wait its turn behind the ingest's (cloud/db/write-lock.ts), and held here it kept
    // the next round's first message from going out meanwhile.
    const freePlace = () => {
      if (placeFreed) return;
      placeFreed = true;
      this.#active--;
      this.#recording++;
      this.#pump();
    };
    try {
      const outcome = this.#attempted(entry, await this.#attempt(entry));
      freePlace();
      await this.options.record(entry.job, outcome);
    } catch (error) {
      this.options.log("error", "could not record a delivery outcome", { channel: this.options.name, error: (error as Error).message });
    } finally {
      freePlace();
      this.#recording--;
      if (this.depth === 0) this.#idle.splice(0).forEach((wake) => wake());
    }
  }

  /** One send: its result, or the error it ended in. */
  async #attempt(entry: Entry<J>): Promise<SendResult | { error: unknown }> {
    entry.attempts++;
    try {
      return await this.options.send(entry.job);
    } catch (error) {
      return { error };
    }
  }

  /** What a send's result means for its row: sent, to be tried again later (queued for then), or failed. */
  #attempted(entry: Entry<J>, result: SendResult | { error: unknown }): DeliveryOutcome {
    const { options } = this;
    if (typeof result === "string") return { status: result, attempts: entry.attempts };
    const { error } = result;
    const message = (error as Error)?.message ?? String(error);
    const permanent = error instanceof PermanentDeliveryError;
    if (!permanent && entry.attempts < options.maxAttempts && !this.#closed) {
      const waitMs = Math.max(options.backoffMs(entry.attempts), error instanceof RetryLaterError ? (error.afterMs ?? 0) : 0);
      this.#later(entry, waitMs);
      return { status: "retrying", attempts: entry.attempts, error: message, retryAtMs: options.scheduler.now() + waitMs };
    }
    options.log("warn", "delivery failed", { channel: options.name, attempts: entry.attempts, error: message });
    return { status: "failed", attempts: entry.attempts, error: message };
  }
}
