import { AsyncLocalStorage } from "node:async_hooks";
import type { Client } from "@libsql/client";

/**
 * Who waits for whom at the embedded database. The libSQL file client runs every statement
 * synchronously on the event loop, and each caller (the ingest's group commits, the incident
 * desk, the notifier, the API, retention) chains statement after statement in microtasks that
 * never let the loop turn. Each yielded on its own, but their chains ran in the same turn one
 * after another: bench:flood measured 275–680 ms stalls (no socket read, no PUBACK, no API
 * answer) with no single statement over 83 ms.
 *
 * So every statement takes its turn here. A turn of the event loop may spend {@link TURN_MS} on
 * database work; a caller arriving after that waits for the next turn. Waiters are served by
 * priority, then in order of arrival: an alarm's write, its incident and its first round of
 * notifications (`urgent`) go before telemetry and the API (`normal`), which go before work
 * from a node over its alarm budget, rollups and retention (`background`). A statement already
 * begun is never cut, so a turn lasts at most TURN_MS plus the longest single statement; the
 * callers keep their statements small (group commits cap their batches).
 *
 * Priority is the caller's context ({@link withPriority}), carried across awaits by
 * AsyncLocalStorage, so a chain started for an alarm keeps its place however deep it goes.
 */
export type Priority = "urgent" | "normal" | "background";

const ORDER: Record<Priority, number> = { urgent: 0, normal: 1, background: 2 };

/** Database work one turn of the event loop may do before the loop goes round (sockets, timers, the API). */
export const TURN_MS = 8;

const context = new AsyncLocalStorage<Priority>();

/** Runs `work` (and everything it awaits or starts) at `priority` for the database. */
export function withPriority<T>(priority: Priority, work: () => T): T {
  return context.run(priority, work);
}

export function currentPriority(): Priority {
  return context.getStore() ?? "normal";
}

export interface TurnStats {
  /** Statements (or batches) that had to wait for a later turn, per priority. */
  waited: Record<Priority, number>;
  /** The longest single statement or batch, in ms: what one turn can exceed TURN_MS by. */
  longestCallMs: number;
}

export class DatabaseTurns {
  readonly stats: TurnStats = { waited: { urgent: 0, normal: 0, background: 0 }, longestCallMs: 0 };
  #turnMs: number;
  #queues: Array<Array<() => void>> = [[], [], []];
  #waiting = 0;
  /** Callers let through and not yet done (the file client runs one at a time; a remote one may overlap). */
  #inside = 0;
  #turnStart = 0;
  /** Set by a setImmediate armed when a turn starts: true once the event loop has gone round since. */
  #loopTurned = true;
  #pumpArmed = false;

  constructor(turnMs = TURN_MS) {
    this.#turnMs = turnMs;
  }

  /** Resolves when the caller may run its statement; pair with {@link leave}. */
  enter(): Promise<void> | undefined {
    const now = performance.now();
    if (this.#loopTurned) this.#startTurn(now);
    if (this.#waiting === 0 && now - this.#turnStart < this.#turnMs) {
      this.#inside++;
      return undefined;
    }
    const priority = currentPriority();
    this.#waiting++;
    const waited = new Promise<void>((resolve) => this.#queues[ORDER[priority]].push(resolve));
    // Time left in this turn and nobody inside: the most urgent waiter (perhaps this one) goes now.
    if (this.#inside === 0 && now - this.#turnStart < this.#turnMs) this.#releaseNext();
    else {
      this.stats.waited[priority]++;
      this.#armPump();
    }
    return waited;
  }

  leave(startedAt: number): void {
    const now = performance.now();
    this.stats.longestCallMs = Math.max(this.stats.longestCallMs, now - startedAt);
    this.#inside--;
    if (this.#waiting === 0) return;
    if (this.#inside === 0 && now - this.#turnStart < this.#turnMs && !this.#loopTurned) this.#releaseNext();
    else this.#armPump();
  }

  #startTurn(now: number): void {
    this.#turnStart = now;
    this.#loopTurned = false;
    setImmediate(() => {
      this.#loopTurned = true;
    });
  }

  /**
   * Lets the event loop go round, then starts a turn with the highest-priority waiter. A call
   * still inside by then is not running (the file client's calls finish within their turn): it
   * waits on something else, perhaps on a call of its own queued here, so the turn starts anyway.
   */
  #armPump(): void {
    if (this.#pumpArmed) return;
    this.#pumpArmed = true;
    setImmediate(() => {
      this.#pumpArmed = false;
      if (this.#waiting === 0) return;
      this.#startTurn(performance.now());
      this.#releaseNext();
    });
  }

  #releaseNext(): void {
    for (const queue of this.#queues) {
      const next = queue.shift();
      if (!next) continue;
      this.#waiting--;
      this.#inside++;
      next();
      return;
    }
  }
}

/**
 * The client with every call taking its turn. Statements inside an interactive transaction run
 * on the transaction's own object and are not held back once it has begun (holding them would
 * keep the transaction's connection, and its lock, across turns).
 */
export function takingTurns(client: Client, turns: DatabaseTurns): Client {
  const gated = <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const waiting = turns.enter();
      if (waiting) await waiting;
      const startedAt = performance.now();
      try {
        return await call(...args);
      } finally {
        turns.leave(startedAt);
      }
    };
  // Gated per function, so a method replaced on the client (a test making a statement fail) is the one gated.
  const wrapped = new WeakMap<object, unknown>();
  const gate = (target: Client, name: "execute" | "batch" | "migrate" | "transaction" | "executeMultiple") => {
    const method = target[name] as (...args: unknown[]) => Promise<unknown>;
    let gatedMethod = wrapped.get(method);
    if (!gatedMethod) wrapped.set(method, (gatedMethod = gated(method.bind(target))));
    return gatedMethod;
  };
  return new Proxy(client, {
    get(target, property, receiver) {
      switch (property) {
        case "execute":
        case "batch":
        case "migrate":
        case "transaction":
        case "executeMultiple":
          return gate(target, property);
        default: {
          const value = Reflect.get(target, property, receiver);
          return typeof value === "function" ? value.bind(target) : value;
        }
      }
    },
  });
}
