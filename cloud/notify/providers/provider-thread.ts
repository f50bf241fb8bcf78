import { Worker } from "node:worker_threads";
import type { Logger } from "../../log";
import { threadEntry } from "../../threads/worker-bundle";
import type { NotifySettings } from "../settings";
import type { CallResult, OutboundMessage, ProviderChannel, SendOutcome } from "./channel";
import type { FromProviderThread, PhoneChannel, ProviderThreadData, ToProviderThread } from "./provider-worker";

/**
 * The SMS and voice adapters on a thread of their own (provider-worker.ts), behind the same
 * ProviderChannel the delivery queue already calls.
 *
 * Why: each SMS is signed (HMAC), turned into an HTTP request, sent and its answer parsed (over a
 * provider's TLS, encrypted too). In bench:storm's reconnect wave that took 8 % of the loop (CPU
 * profile of the wave's first 7 s), the loop that also stores alarms, opens their incidents and
 * feeds the consoles: every SMS of one fire's round delayed the next fire's. Here the loop only
 * posts a message and takes the answer: busy 19 % less over those 7 s, first notification p99
 * 44–59 ms against 62–82 ms on the loop in three pairs of runs (README).
 *
 * The thread is built from the settings themselves, so the secrets go to it in memory and are
 * never logged. If it stops, every request it had answers `retry` (the delivery queue tries again
 * with its own backoff) and the next request starts a new one. An aborted request (the queue's
 * timeout) answers `retry` at once; the thread is told to abort its request too.
 */
export interface ProviderThread {
  sms: ProviderChannel<string> | null;
  voice: ProviderChannel<string> | null;
  /** Threads started so far (1 unless one stopped). */
  readonly starts: number;
  close(): Promise<void>;
}

const SCRIPT = new URL("./provider-worker.ts", import.meta.url);

type Answer = FromProviderThread & { type: "answer" };
type Ready = FromProviderThread & { type: "ready" };

/** Starts the thread and waits until it has built the adapters; `override` runs a test's own worker module. */
export async function startProviderThread(settings: Pick<NotifySettings, "sms" | "voice">, options: { log?: Logger; override?: string } = {}): Promise<ProviderThread> {
  const log = options.log;
  const { module, script } = await threadEntry(SCRIPT, { override: options.override, warn: (error) => log?.("warn", "provider thread runs through tsx: its bundle could not be written", { error: error.message }) });
  const data: ProviderThreadData & { script?: string } = { settings, script };
  /** Requests posted and not yet answered, by id: what answers them, and what ends them if the thread stops. */
  const pending = new Map<number, { answer: (answer: Answer) => void; stopped: () => void }>();
  let nextId = 0;
  let starts = 0;
  let closed = false;
  let current: Promise<{ worker: Worker; ready: Ready }> | undefined;

  const start = (): Promise<{ worker: Worker; ready: Ready }> => {
    const starting = new Promise<{ worker: Worker; ready: Ready }>((resolve, reject) => {
      starts++;
      const worker = new Worker(module, { name: "shouwang-providers", workerData: data, resourceLimits: { maxOldGenerationSizeMb: 64 } });
      worker.unref();
      let started = false;
      worker.on("message", (message: FromProviderThread) => {
        if (message.type === "ready") {
          started = true;
          resolve({ worker, ready: message });
          return;
        }
        const waiting = pending.get(message.id);
        pending.delete(message.id);
        waiting?.answer(message);
      });
      let gone = false;
      // "error" is followed by "exit": the thread is lost once.
      const lost = (why: string) => {
        if (gone) return;
        gone = true;
        if (!started) reject(new Error(`the provider thread did not start: ${why}`));
        if (current === starting) current = undefined;
        if (!closed) log?.("warn", "provider thread stopped; its requests are tried again", { why, requests: pending.size });
        for (const [id, waiting] of pending) {
          pending.delete(id);
          waiting.stopped();
        }
      };
      worker.on("error", (error) => lost(error.message));
      worker.on("exit", (code) => lost(`exit ${code}`));
    });
    return starting;
  };
  const thread = () => (current ??= start());

  /** Posts one request; `stopped` answers it when the thread stops, cannot start, or the caller aborts first. */
  const request = async <T>(signal: AbortSignal, post: (id: number) => ToProviderThread, take: (answer: Answer) => T, stopped: () => T): Promise<T> => {
    if (signal.aborted || closed) return stopped();
    let worker: Worker;
    try {
      worker = (await thread()).worker;
    } catch (error) {
      log?.("warn", "provider thread could not start", { error: (error as Error).message });
      return stopped();
    }
    const id = ++nextId;
    return new Promise<T>((resolve) => {
      const onAbort = () => {
        if (!pending.delete(id)) return;
        worker.postMessage({ type: "abort", id } satisfies ToProviderThread);
        resolve(stopped());
      };
      pending.set(id, {
        answer: (answer) => {
          signal.removeEventListener("abort", onAbort);
          resolve(take(answer));
        },
        stopped: () => {
          signal.removeEventListener("abort", onAbort);
          resolve(stopped());
        },
      });
      signal.addEventListener("abort", onAbort, { once: true });
      worker.postMessage(post(id));
    });
  };

  const { ready } = await thread();
  const proxy = (channel: PhoneChannel, name: string): ProviderChannel<string> => ({
    name,
    send: (to: string, message: OutboundMessage, signal: AbortSignal) =>
      request<SendOutcome>(
        signal,
        (id) => ({ type: "send", id, channel, to, message }),
        (answer) => ("outcome" in answer ? answer.outcome : { status: "retry", reason: "the provider thread answered out of turn" }),
        () => ({ status: "retry", reason: signal.aborted ? "no answer in time" : "the provider thread stopped" }),
      ),
    ...(channel === "voice" &&
      ready.callResults && {
        callResult: (reference: string, placedAtMs: number, signal: AbortSignal) =>
          request<CallResult>(
            signal,
            (id) => ({ type: "callResult", id, reference, placedAtMs }),
            (answer) => ("callResult" in answer ? answer.callResult : "unknown"),
            () => "unknown",
          ),
      }),
  });

  return {
    sms: ready.names.sms ? proxy("sms", ready.names.sms) : null,
    voice: ready.names.voice ? proxy("voice", ready.names.voice) : null,
    get starts() {
      return starts;
    },
    async close() {
      closed = true;
      const running = await current?.catch(() => undefined);
      if (!running) return;
      running.worker.postMessage({ type: "close" } satisfies ToProviderThread);
      await running.worker.terminate();
    },
  };
}
