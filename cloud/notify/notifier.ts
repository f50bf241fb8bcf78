import type { Db } from "../db/client";
import type { DeliveryChannel } from "../db/schema";
import type { IncidentView } from "../incidents/view";
import type { Logger } from "../log";
import type { Recipient } from "../routing/router";
import type { Scheduler } from "../time/scheduler";
import { staffNotifyTopic } from "../../shared/topics";
import type { ConsoleHub } from "./channels/console-hub";
import type { SmsVoiceAdapter } from "./channels/sms-voice";
import { DeliveryQueue, PermanentDeliveryError, type DeliveryOutcome, type SendResult } from "./delivery-queue";
import { shortText, type IncidentChange, type NotifyPurpose, type StaffNotification } from "./message";
import { activeWebhooks, insertDeliveries, updateDeliveries, type DeliveryChange, type NewDelivery, type WebhookRow } from "./queries";
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from "./signature";

/** Publishes one message to the broker at QoS 1; resolves on PUBACK. */
export type AppPublish = (topic: string, payload: string) => Promise<void>;

export interface RetryPolicy {
  maxAttempts: number;
  /** First retry after this; each next one waits twice as long. */
  baseDelayMs: number;
  /** One attempt may take this long before it counts as failed. */
  timeoutMs: number;
}

export interface NotifierDeps {
  db: Db;
  scheduler: Scheduler;
  log: Logger;
  hub: ConsoleHub;
  /** The staff app push; null when the cloud has no broker connection for it. */
  appPublish: AppPublish | null;
  smsVoice: SmsVoiceAdapter | null;
  fetch?: typeof fetch;
  appRetry?: RetryPolicy;
  webhookRetry?: RetryPolicy;
  smsRetry?: RetryPolicy;
}

interface PersonJob {
  deliveryId: number;
  incidentId: number;
  staffId: number;
  phone: string | null;
  notification: StaffNotification;
}

interface WebhookJob {
  deliveryId: number;
  hook: WebhookRow;
  event: IncidentChange;
  body: string;
}

const DEFAULT_APP_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 1000, timeoutMs: 10_000 };
const DEFAULT_WEBHOOK_RETRY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 2000, timeoutMs: 5000 };
const DEFAULT_SMS_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 5000, timeoutMs: 15_000 };

/**
 * The last stage before a person: turns "these people, this tier" into stored deliveries and hands
 * each to its channel's own queue. Every delivery is written before it is sent and updated with
 * how it went; console and app go out first and never wait on SMS, voice or a webhook.
 */
export class Notifier {
  readonly #deps: NotifierDeps;
  readonly #queues: Record<"console" | "app" | "sms" | "voice", DeliveryQueue<PersonJob>>;
  readonly #webhookQueues = new Map<number, DeliveryQueue<WebhookJob>>();
  readonly #notified = new Set<number>();
  readonly #aborts = new Set<AbortController>();
  #outcomes: Array<{ id: number; change: DeliveryChange; firstNotified: number | null; settle: (error?: Error) => void }> = [];

  constructor(deps: NotifierDeps) {
    this.#deps = deps;
    const { scheduler, log } = deps;
    const person = (name: "console" | "app" | "sms" | "voice", concurrency: number, retry: RetryPolicy, send: (job: PersonJob) => Promise<SendResult>) =>
      new DeliveryQueue<PersonJob>({
        name,
        concurrency,
        maxAttempts: retry.maxAttempts,
        backoffMs: (attempt) => retry.baseDelayMs * 2 ** (attempt - 1),
        scheduler,
        log,
        send,
        record: (job, outcome) => this.#record(job.deliveryId, outcome, job.incidentId),
      });
    const app = deps.appRetry ?? DEFAULT_APP_RETRY;
    const sms = deps.smsRetry ?? DEFAULT_SMS_RETRY;
    this.#queues = {
      console: person("console", 64, { maxAttempts: 1, baseDelayMs: 0, timeoutMs: 0 }, async (job) =>
        deps.hub.notify(job.staffId, String(job.deliveryId), job.notification) > 0 ? "sent" : "no-listener",
      ),
      app: person("app", 64, app, async (job) => {
        if (!deps.appPublish) throw new PermanentDeliveryError("no broker connection for the staff app");
        await withTimeout(deps.appPublish(staffNotifyTopic(job.staffId), JSON.stringify(job.notification)), app.timeoutMs, "the broker did not acknowledge");
        return "sent";
      }),
      sms: person("sms", 8, sms, (job) => this.#smsVoice(job, "sms", sms.timeoutMs)),
      voice: person("voice", 8, sms, (job) => this.#smsVoice(job, "voice", sms.timeoutMs)),
    };
  }

  /** Stores and sends one tier's notifications; returns the number of deliveries made. */
  async notifyPeople(incident: IncidentView, recipients: readonly Recipient[], purpose: NotifyPurpose, tier: number): Promise<number> {
    const now = this.#deps.scheduler.now();
    const planned: Array<{ row: NewDelivery; staffId: number; phone: string | null; channel: "console" | "app" | "sms" | "voice" }> = [];
    for (const { staff, channels } of recipients) {
      for (const channel of channels) {
        if ((channel === "sms" || channel === "voice") && (!this.#deps.smsVoice || !staff.phone)) continue;
        planned.push({
          row: { incidentId: incident.id, channel, staffId: staff.id, purpose, tier, status: "pending", attempts: 0, createdAt: now },
          staffId: staff.id,
          phone: staff.phone,
          channel,
        });
      }
    }
    // Console and app first: the fastest channels are queued before the slow ones.
    const order: Record<string, number> = { console: 0, app: 1, sms: 2, voice: 3 };
    planned.sort((a, b) => order[a.channel] - order[b.channel]);
    const ids = await insertDeliveries(this.#deps.db, planned.map((p) => p.row));
    planned.forEach((p, i) => {
      const notification: StaffNotification = { v: 1, type: "incident-notification", deliveryId: ids[i], purpose, tier, incident };
      this.#queues[p.channel].push({ deliveryId: ids[i], incidentId: incident.id, staffId: p.staffId, phone: p.phone, notification });
    });
    return ids.length;
  }

  /** Shows a change on the console's streams and tells every webhook that wants this hazard. */
  async incidentChanged(incident: IncidentView, event: IncidentChange, options: { webhooks?: boolean } = {}): Promise<void> {
    this.#deps.hub.broadcast(incident.placePath, { event, incident });
    if (options.webhooks === false) return;
    const hooks = (await activeWebhooks(this.#deps.db)).filter((h) => !h.hazards || (JSON.parse(h.hazards) as string[]).includes(incident.hazard));
    if (!hooks.length) return;
    const now = this.#deps.scheduler.now();
    const ids = await insertDeliveries(
      this.#deps.db,
      hooks.map((h) => ({ incidentId: incident.id, channel: "webhook" as DeliveryChannel, webhookId: h.id, purpose: event, tier: incident.escalationStep, status: "pending" as const, attempts: 0, createdAt: now })),
    );
    hooks.forEach((hook, i) => {
      const body = JSON.stringify({ v: 1, event: `incident.${event}`, deliveryId: ids[i], at: new Date(now).toISOString(), incident });
      this.#webhookQueue(hook).push({ deliveryId: ids[i], hook, event, body });
    });
  }

  /** Resolves when every queue is empty and nothing is in flight (retries scheduled for later excepted). */
  async idle(): Promise<void> {
    for (;;) {
      const queues = [...Object.values(this.#queues), ...this.#webhookQueues.values()];
      if (queues.every((q) => q.depth === 0)) return;
      await Promise.all(queues.map((q) => q.idle()));
    }
  }

  /** Queue depths and retries waiting, per channel, for stats and tests. */
  stats(): Record<string, { depth: number; retriesPending: number }> {
    const out: Record<string, { depth: number; retriesPending: number }> = {};
    for (const [name, q] of Object.entries(this.#queues)) out[name] = { depth: q.depth, retriesPending: q.retriesPending };
    for (const [id, q] of this.#webhookQueues) out[`webhook:${id}`] = { depth: q.depth, retriesPending: q.retriesPending };
    return out;
  }

  close(): void {
    for (const q of [...Object.values(this.#queues), ...this.#webhookQueues.values()]) q.close();
    for (const abort of this.#aborts) abort.abort();
  }

  #webhookQueue(hook: WebhookRow): DeliveryQueue<WebhookJob> {
    let queue = this.#webhookQueues.get(hook.id);
    if (!queue) {
      const retry = this.#deps.webhookRetry ?? DEFAULT_WEBHOOK_RETRY;
      queue = new DeliveryQueue<WebhookJob>({
        name: `webhook:${hook.id}`,
        concurrency: 4,
        maxAttempts: retry.maxAttempts,
        backoffMs: (attempt) => retry.baseDelayMs * 2 ** (attempt - 1),
        scheduler: this.#deps.scheduler,
        log: this.#deps.log,
        send: (job) => this.#postWebhook(job, retry.timeoutMs),
        record: (job, outcome) => this.#record(job.deliveryId, outcome, null),
      });
      this.#webhookQueues.set(hook.id, queue);
    }
    return queue;
  }

  async #postWebhook(job: WebhookJob, timeoutMs: number): Promise<SendResult> {
    const timestampS = Math.floor(this.#deps.scheduler.now() / 1000);
    const abort = new AbortController();
    this.#aborts.add(abort);
    const timer = setTimeout(() => abort.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    try {
      const response = await (this.#deps.fetch ?? fetch)(job.hook.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          [SIGNATURE_HEADER]: signWebhook(job.hook.secret, timestampS, job.body),
          [TIMESTAMP_HEADER]: String(timestampS),
          [DELIVERY_HEADER]: String(job.deliveryId),
          [EVENT_HEADER]: `incident.${job.event}`,
        },
        body: job.body,
        signal: abort.signal,
        redirect: "manual",
      });
      await response.body?.cancel().catch(() => {});
      if (response.ok) return "sent";
      // 408 and 429 mean "later"; any other 4xx means the receiver will never take this body.
      if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
        throw new PermanentDeliveryError(`webhook answered ${response.status}`);
      }
      throw new WebhookAnswer(`webhook answered ${response.status}`);
    } catch (error) {
      if (error instanceof PermanentDeliveryError || error instanceof WebhookAnswer) throw error;
      const reason = abort.signal.aborted ? ((abort.signal.reason as Error)?.message ?? "aborted") : (error as Error).message;
      throw new Error(`webhook not reached: ${reason}`);
    } finally {
      clearTimeout(timer);
      this.#aborts.delete(abort);
    }
  }

  async #smsVoice(job: PersonJob, channel: "sms" | "voice", timeoutMs: number): Promise<SendResult> {
    const adapter = this.#deps.smsVoice;
    if (!adapter || !job.phone) throw new PermanentDeliveryError("no SMS/voice adapter or no phone number");
    await withTimeout(adapter.send({ channel, to: job.phone, text: shortText(job.notification.incident, job.notification.purpose) }), timeoutMs, `${adapter.name} did not answer`);
    return "sent";
  }

  async #record(deliveryId: number, outcome: DeliveryOutcome, incidentId: number | null): Promise<void> {
    const now = this.#deps.scheduler.now();
    const done = outcome.status !== "retrying";
    let firstNotified: number | null = null;
    if (incidentId !== null && outcome.status === "sent" && !this.#notified.has(incidentId)) {
      // Only saves repeat writes; the UPDATE itself sets the time once.
      if (this.#notified.size > 10_000) this.#notified.clear();
      this.#notified.add(incidentId);
      firstNotified = incidentId;
    }
    const change: DeliveryChange = { status: outcome.status, attempts: outcome.attempts, lastError: outcome.error?.slice(0, 500) ?? null, completedAt: done ? now : null };
    await new Promise<void>((resolve, reject) => {
      this.#outcomes.push({ id: deliveryId, change, firstNotified, settle: (error) => (error ? reject(error) : resolve()) });
      if (this.#outcomes.length === 1) setImmediate(() => void this.#flushOutcomes());
    });
  }

  /** Writes the outcomes gathered during one turn of the event loop together. */
  async #flushOutcomes(): Promise<void> {
    const batch = this.#outcomes;
    this.#outcomes = [];
    try {
      const firsts = batch.filter((e) => e.firstNotified !== null).map((e) => ({ incidentId: e.firstNotified!, at: e.change.completedAt ?? this.#deps.scheduler.now() }));
      await updateDeliveries(this.#deps.db, batch, firsts);
      for (const entry of batch) entry.settle();
    } catch (error) {
      for (const entry of batch) entry.settle(error as Error);
    }
  }
}

/** The receiver answered, with a status worth retrying. */
class WebhookAnswer extends Error {}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} within ${timeoutMs} ms`)), timeoutMs);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
