import type { Db } from "../db/client";
import type { DeliveryChannel, DeliveryStatus } from "../db/schema";
import { getIncident } from "../incidents/queries";
import { toIncidentView, type IncidentView } from "../incidents/view";
import type { Logger } from "../log";
import type { Recipient } from "../routing/router";
import { loadStaff } from "../staff/queries";
import type { Scheduler } from "../time/scheduler";
import type { ConsoleHub } from "./channels/console-hub";
import { DeliveryQueue, PermanentDeliveryError, RetryLaterError, sentOrThrow, type DeliveryOutcome, type SendResult } from "./delivery-queue";
import { alertFields, shortText, type IncidentChange, type NotifyPurpose, type StaffNotification } from "./message";
import type { ProviderChannel, RobotAddress, RobotKind, SendOutcome } from "./providers/channel";
import {
  activeWebhooks,
  claimUnfinished,
  insertDeliveries,
  insertRound,
  roundDelivered,
  updateDeliveries,
  type DeliveryChange,
  type DeliveryRow,
  type NewDelivery,
  type WebhookRow,
} from "./queries";
import type { RoutingDirectory, RoutingSnapshot } from "../routing/directory";
import { forgetPushSubscription, markPushSent, pushSubscriptionsOf } from "./push/push-queries";
import type { PushPayload, PushTarget } from "./push/web-push-channel";
import { getChatRobot, robotsOnPath, type ChatRobotRow } from "./robot-queries";
import { RoundTracker, type UnreachedRound } from "./round-tracker";
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from "./signature";

export interface RetryPolicy {
  maxAttempts: number;
  /** First retry after this; each next one waits twice as long (or the provider's own wait, if longer). */
  baseDelayMs: number;
  /** One attempt may take this long before it counts as failed (and is retried). */
  timeoutMs: number;
}

/** The ways out to people, each null when not configured. */
export interface NotifyChannels {
  sms: ProviderChannel<string> | null;
  voice: ProviderChannel<string> | null;
  robots: Record<RobotKind, ProviderChannel<RobotAddress>>;
  /** Web Push to the browsers staff subscribed (null when the cloud has no VAPID keys). */
  push: ProviderChannel<PushTarget> | null;
}

export interface NotifierDeps {
  db: Db;
  /**
   * The robots, push subscriptions and webhooks as routing keeps them, read again only when they
   * changed (RoutingDirectory); without it each round and each change shown reads them.
   */
  directory?: RoutingDirectory;
  scheduler: Scheduler;
  log: Logger;
  hub: ConsoleHub;
  /** This instance's name: it holds the lease on the deliveries it works. */
  instanceId: string;
  channels: NotifyChannels;
  fetch?: typeof fetch;
  retry?: Partial<Record<RetriedChannel, RetryPolicy>>;
}

/** Which round a delivery belongs to, and the people and places it is for. */
export interface Round {
  purpose: NotifyPurpose;
  step: number;
  /** Unique per round of an incident: `notify:0:r0`, `escalate:2:r1`, `dispatch:<ms>`. */
  key: string;
  recipients: readonly Recipient[];
  /** The tier's group chats are told too (the robots of the places on the incident's path). */
  chat: boolean;
  /** Tier rounds are watched: one that reaches nobody is reported (dispatches and re-checks name their people). */
  watched: boolean;
}

/** Why one person could not be reached on one channel. */
export type Unreachable = "no phone" | "no SMS provider" | "no voice provider" | "console not open" | "no browser subscribed";

type RetriedChannel = "push" | "webhook" | "sms" | "voice" | "chat";

export interface RoundReport {
  /** Deliveries stored for this round now (a round taken up again adds only what was missing). */
  stored: number;
  /** Deliveries an earlier run of the same round had stored already (taken up by `resume`). */
  existing: number;
  /** Of those, how many have a way to reach someone: queued to a live stream, a provider or a robot. */
  reachable: number;
  people: Array<{ staffId: number; name: string; unreachable: Partial<Record<DeliveryChannel, Unreachable>> }>;
  robots: number;
}

interface Job {
  deliveryId: number;
  incidentId: number;
  channel: DeliveryChannel;
  /** The round it belongs to when watched, for the tracker. */
  round: string | null;
  /**
   * Its place among its round's deliveries on the same queue (0: the round's first person there).
   * A waiting queue sends every round's first before any round's second, so one incident's
   * fifth recipient never holds up another incident's first.
   */
  position?: number;
  incident: IncidentView;
  purpose: string;
  tier: number;
  staffId?: number;
  phone?: string;
  /** Browsers this delivery already reached (a retry goes only to the others). */
  pushed?: Set<number>;
  robot?: ChatRobotRow;
  mentionPhones?: string[];
  hook?: WebhookRow;
  /** Set by the sender when a provider takes it. */
  provider?: string;
  reference?: string;
  /** When a call was placed; its result is asked for some minutes later. */
  placedAtMs?: number;
  /** Attempts so far, for a call whose result comes after the queue has let it go. */
  attempts?: number;
}

const DEFAULT_RETRY: Record<RetriedChannel, RetryPolicy> = {
  push: { maxAttempts: 5, baseDelayMs: 1000, timeoutMs: 10_000 },
  webhook: { maxAttempts: 6, baseDelayMs: 2000, timeoutMs: 5000 },
  // 5, 10, 20, 40, 80 s: a throttled number (Tencent: once per 30 s) gets through within minutes.
  sms: { maxAttempts: 6, baseDelayMs: 5000, timeoutMs: 15_000 },
  // Aliyun calls one number at most once a minute.
  voice: { maxAttempts: 4, baseDelayMs: 60_000, timeoutMs: 15_000 },
  chat: { maxAttempts: 6, baseDelayMs: 2000, timeoutMs: 10_000 },
};

/** How long a delivery's lease outlives its next due time before another instance may take it up. */
const LEASE_MS = 5 * 60_000;
/** Aliyun syncs a call's detail 3–5 minutes after it (QueryCallDetailByCallId); asked then, and again a few times. */
const CALL_RESULT_AFTER_MS = 4 * 60_000;
const CALL_RESULT_CHECKS = 4;
/** Channels that reach a person's eyes or ears: the first of these taken is "first notified". */
const NOTIFYING: ReadonlySet<DeliveryChannel> = new Set(["console", "push", "sms", "voice", "chat"]);

/**
 * The last stage before a person: turns "these people, this tier" into stored deliveries and hands
 * each to its channel's own queue. Every delivery is a row before it is attempted and is updated
 * after each attempt; `resume` takes up the rows a stopped instance left pending or retrying. A
 * delivery is `sent` only when its provider (or a live console stream) took it.
 *
 * A crash between a provider taking a message and the row saying so resends it on restart: the
 * providers keep no idempotency key (Aliyun says so of SendSms), and a second alarm SMS is better
 * than none. The unique round key keeps a round taken up again from adding a second row.
 */
export class Notifier {
  readonly #deps: NotifierDeps;
  readonly #retry: Record<RetriedChannel, RetryPolicy>;
  readonly #queues = new Map<string, DeliveryQueue<Job>>();
  readonly #notified = new Set<number>();
  readonly #aborts = new Set<AbortController>();
  /** Deliveries queued or in flight here, so a sweep never queues one twice. */
  readonly #inHand = new Set<number>();
  readonly rounds = new RoundTracker();
  #outcomes: Array<{ id: number; change: DeliveryChange; firstNotified: number | null; settle: (error?: Error) => void }> = [];

  constructor(deps: NotifierDeps) {
    this.#deps = deps;
    this.#retry = { ...DEFAULT_RETRY, ...deps.retry };
  }

  /** Called with a watched round none of whose deliveries reached anyone. */
  set onUnreached(listener: (round: UnreachedRound) => void) {
    this.rounds.onUnreached = listener;
  }

  /** Stores and sends one round; says how many deliveries can reach someone and why the others cannot. */
  async notifyRound(incident: IncidentView, round: Round): Promise<RoundReport> {
    const { db, scheduler, hub, channels } = this.#deps;
    const now = scheduler.now();
    const report: RoundReport = { stored: 0, existing: 0, reachable: 0, people: [], robots: 0 };
    const planned: Array<{ row: NewDelivery; job: Omit<Job, "deliveryId">; reachable: boolean }> = [];
    const directory = await this.#deps.directory?.current();
    const subscribed = new Set(
      round.recipients.some((r) => r.channels.includes("push")) && channels.push ? await this.#pushSubscribed(round, directory) : [],
    );
    const base = { incidentId: incident.id, purpose: round.purpose, tier: round.step, roundKey: round.key, attempts: 0, createdAt: now, leaseOwner: this.#deps.instanceId, leaseUntil: now + LEASE_MS };
    for (const { staff, channels: wanted } of round.recipients) {
      const person: RoundReport["people"][number] = { staffId: staff.id, name: staff.name, unreachable: {} };
      for (const channel of wanted) {
        let unreachable: Unreachable | null = null;
        if (channel === "sms" || channel === "voice") {
          if (!(channel === "sms" ? channels.sms : channels.voice)) unreachable = channel === "sms" ? "no SMS provider" : "no voice provider";
          else if (!staff.phone) unreachable = "no phone";
        } else if (channel === "push" && !subscribed.has(staff.id)) unreachable = "no browser subscribed";
        if (unreachable) person.unreachable[channel] = unreachable;
        // The console is tried either way (a stream may open), but counts as a way through only if one is open now.
        const live = channel === "console" ? hub.listening(staff.id) : true;
        if (channel === "console" && !live) person.unreachable.console = "console not open";
        planned.push({
          row: { ...base, channel, staffId: staff.id, recipient: `staff:${staff.id}`, status: unreachable ? "unreachable" : "pending", lastError: unreachable, completedAt: unreachable ? now : null },
          job: { incidentId: incident.id, channel, round: null, incident, purpose: round.purpose, tier: round.step, staffId: staff.id, phone: staff.phone ?? undefined },
          reachable: !unreachable && live,
        });
      }
      report.people.push(person);
    }
    if (round.chat && incident.placePath) {
      const mentionPhones = round.recipients.map((r) => r.staff.phone).filter((p): p is string => !!p);
      for (const robot of directory ? directory.robotsOnPath(incident.placePath) : await robotsOnPath(db, incident.placePath)) {
        report.robots++;
        planned.push({
          row: { ...base, channel: "chat", robotId: robot.id, recipient: `robot:${robot.id}`, status: "pending" },
          job: { incidentId: incident.id, channel: "chat", round: null, incident, purpose: round.purpose, tier: round.step, robot, mentionPhones },
          reachable: true,
        });
      }
    }
    // The fastest channels are queued first.
    const order: Partial<Record<DeliveryChannel, number>> = { console: 0, push: 1, chat: 2, sms: 3, voice: 4 };
    planned.sort((a, b) => (order[a.row.channel] ?? 9) - (order[b.row.channel] ?? 9));
    const inserted = await insertRound(db, planned.map((p) => p.row));
    const ids = new Map(inserted.map((r) => [`${r.channel}|${r.recipient}`, r.id]));
    report.stored = inserted.length;
    report.existing = planned.length - inserted.length;
    const queued: Job[] = [];
    const positions = new Map<string, number>();
    for (const p of planned) {
      const id = ids.get(`${p.row.channel}|${p.row.recipient}`);
      if (id === undefined || p.row.status === "unreachable") continue;
      if (p.reachable) report.reachable++;
      const job: Job = { ...p.job, deliveryId: id, round: round.watched ? round.key : null };
      job.position = nextPosition(positions, queueName(job));
      queued.push(job);
    }
    // Watched only when something can get through: a round with no way through at all is the desk's gap already.
    if (round.watched && report.reachable > 0) this.rounds.track(round.key, incident.id, round.step, queued.length);
    else for (const job of queued) job.round = null;
    for (const job of queued) this.#enqueue(job);
    return report;
  }

  async #pushSubscribed(round: Round, directory: RoutingSnapshot | undefined): Promise<number[]> {
    const ids = round.recipients.map((r) => r.staff.id);
    if (directory) return directory.pushSubscribed(ids);
    return (await pushSubscriptionsOf(this.#deps.db, ids)).map((s) => s.staffId);
  }

  /** Tells named people directly (a dispatch, a re-check that fell due) on the channels given. */
  async notifyPeople(incident: IncidentView, recipients: readonly Recipient[], purpose: NotifyPurpose, tier: number): Promise<number> {
    const report = await this.notifyRound(incident, { purpose, step: tier, key: `${purpose}:${this.#deps.scheduler.now()}`, recipients, chat: false, watched: false });
    return report.stored;
  }

  /** Shows a change on the console's streams and tells every webhook that wants this hazard. */
  async incidentChanged(incident: IncidentView, event: IncidentChange, options: { webhooks?: boolean } = {}): Promise<void> {
    this.#deps.hub.broadcast(incident.placePath, { event, incident });
    if (options.webhooks === false) return;
    const active = this.#deps.directory ? (await this.#deps.directory.current()).activeWebhooks() : await activeWebhooks(this.#deps.db);
    const hooks = active.filter((h) => !h.hazards || (JSON.parse(h.hazards) as string[]).includes(incident.hazard));
    if (!hooks.length) return;
    const now = this.#deps.scheduler.now();
    const ids = await insertDeliveries(
      this.#deps.db,
      hooks.map((h) => ({
        incidentId: incident.id,
        channel: "webhook" as const,
        webhookId: h.id,
        recipient: `webhook:${h.id}`,
        purpose: event,
        tier: incident.escalationStep,
        status: "pending" as const,
        attempts: 0,
        createdAt: now,
        leaseOwner: this.#deps.instanceId,
        leaseUntil: now + LEASE_MS,
      })),
    );
    hooks.forEach((hook, i) => {
      this.#enqueue({ deliveryId: ids[i], incidentId: incident.id, channel: "webhook", round: null, incident, purpose: event, tier: incident.escalationStep, hook });
    });
  }

  /**
   * Takes up what an earlier run (or a dead instance) left pending or retrying: each row goes back
   * on its channel's queue with its attempts so far, due when its retry was due. Returns how many.
   */
  async resume(): Promise<number> {
    const { db, scheduler, log, instanceId } = this.#deps;
    const now = scheduler.now();
    const rows = (await claimUnfinished(db, instanceId, now, LEASE_MS)).filter((row) => !this.#inHand.has(row.id));
    if (!rows.length) return 0;
    const incidents = new Map<number, IncidentView>();
    for (const id of new Set(rows.map((r) => r.incidentId))) {
      const row = await getIncident(db, id);
      if (row) incidents.set(id, toIncidentView(row));
    }
    const staffIds = [...new Set(rows.map((r) => r.staffId).filter((id): id is number => id !== null))];
    const people = new Map((staffIds.length ? await loadStaff(db, { ids: staffIds }) : []).map((p) => [p.id, p]));
    const hooks = new Map((await activeWebhooks(db)).map((h) => [h.id, h]));
    const robots = new Map<number, ChatRobotRow | undefined>();
    const rounds = new Map<string, { incidentId: number; step: number; key: string; count: number }>();
    const positions = new Map<string, number>();
    let resumed = 0;
    for (const row of rows) {
      const incident = incidents.get(row.incidentId);
      const job: Job = { deliveryId: row.id, incidentId: row.incidentId, channel: row.channel, round: null, incident: incident!, purpose: row.purpose, tier: row.tier };
      let missing: string | null = incident ? null : "its incident is gone";
      if (row.staffId !== null) {
        const person = people.get(row.staffId);
        job.staffId = row.staffId;
        job.phone = person?.phone ?? undefined;
        if (!person) missing = "the person is gone";
      }
      if (row.robotId !== null) {
        if (!robots.has(row.robotId)) robots.set(row.robotId, await getChatRobot(db, row.robotId));
        job.robot = robots.get(row.robotId);
        if (!job.robot?.active) missing = "the robot was removed or turned off";
      }
      if (row.webhookId !== null) {
        job.hook = hooks.get(row.webhookId);
        if (!job.hook) missing = "the webhook was turned off";
      }
      if (row.channel === "app") missing = "the MQTT staff-app channel is retired (nobody could receive it)";
      if (missing) {
        await this.#record(job, { status: "failed", attempts: row.attempts, error: `not resumed: ${missing}` });
        continue;
      }
      // A console row outlived the streams it was for; it is tried again but not watched.
      if (isWatched(row) && row.channel !== "console") {
        const key = `${row.incidentId}|${row.roundKey}`;
        const round = rounds.get(key) ?? { incidentId: row.incidentId, step: row.tier, key: row.roundKey!, count: 0 };
        round.count++;
        rounds.set(key, round);
        job.round = row.roundKey;
      }
      if (row.status === "calling" && row.reference) {
        // A call placed before the restart: its result is still to be asked for.
        Object.assign(job, { reference: row.reference, provider: row.provider ?? undefined, attempts: row.attempts, placedAtMs: (row.nextAttemptAt ?? now) - CALL_RESULT_AFTER_MS });
        this.#inHand.add(job.deliveryId);
        this.#awaitCallResult(job, row.nextAttemptAt ?? now, CALL_RESULT_CHECKS);
      } else {
        // Rows come in the order they were stored, so a round's first person keeps the first place.
        job.position = nextPosition(positions, `${row.incidentId}|${row.roundKey}|${queueName(job)}`);
        this.#enqueue(job, { attempts: row.attempts, notBeforeMs: row.nextAttemptAt ?? undefined });
      }
      resumed++;
    }
    for (const round of rounds.values()) {
      const { delivered } = await roundDelivered(db, round.incidentId, round.key);
      this.rounds.track(round.key, round.incidentId, round.step, round.count, delivered);
    }
    log("info", "deliveries taken up after a restart", { deliveries: resumed });
    return resumed;
  }

  /** Resolves when every queue is empty and nothing is in flight (retries scheduled for later excepted). */
  async idle(): Promise<void> {
    for (;;) {
      const queues = [...this.#queues.values()];
      if (queues.every((q) => q.depth === 0)) return;
      await Promise.all(queues.map((q) => q.idle()));
    }
  }

  /** Queue depths and retries waiting, per queue, for stats and tests. */
  stats(): Record<string, { depth: number; retriesPending: number }> {
    const out: Record<string, { depth: number; retriesPending: number }> = {};
    for (const [name, q] of this.#queues) out[name] = { depth: q.depth, retriesPending: q.retriesPending };
    return out;
  }

  close(): void {
    for (const q of this.#queues.values()) q.close();
    for (const abort of this.#aborts) abort.abort();
  }

  // ── queues and senders ────────────────────────────────────────────────────

  #enqueue(job: Job, resumed?: { attempts?: number; notBeforeMs?: number }): void {
    this.#inHand.add(job.deliveryId);
    this.#queueFor(job).push(job, resumed);
  }

  /**
   * One queue per channel, and one per robot and per webhook, so a slow or throttled provider
   * fills only its own line: a robot throttled for ten minutes holds up no SMS.
   */
  #queueFor(job: Job): DeliveryQueue<Job> {
    const name = queueName(job);
    let queue = this.#queues.get(name);
    if (queue) return queue;
    const retry = job.channel === "console" ? { maxAttempts: 1, baseDelayMs: 0, timeoutMs: 0 } : this.#retry[job.channel as RetriedChannel];
    // Providers take thousands a second (Aliyun SMS 5,000 QPS); what bounds us is our own sockets.
    const concurrency = { console: 64, push: 32, sms: 32, voice: 16, chat: 1, webhook: 4 }[job.channel as string] ?? 4;
    queue = new DeliveryQueue<Job>({
      name,
      concurrency,
      maxAttempts: retry.maxAttempts,
      backoffMs: (attempt) => retry.baseDelayMs * 2 ** (attempt - 1),
      scheduler: this.#deps.scheduler,
      log: this.#deps.log,
      send: (j) => this.#send(j, retry.timeoutMs),
      record: (j, outcome) => this.#record(j, outcome),
      rank: (j) => j.position ?? 0,
    });
    this.#queues.set(name, queue);
    return queue;
  }

  async #send(job: Job, timeoutMs: number): Promise<SendResult> {
    const { channels } = this.#deps;
    switch (job.channel) {
      case "console": {
        const notification: StaffNotification = { v: 1, type: "incident-notification", deliveryId: job.deliveryId, purpose: job.purpose as NotifyPurpose, tier: job.tier, incident: job.incident };
        return this.#deps.hub.notify(job.staffId!, String(job.deliveryId), notification) > 0 ? "sent" : "no-listener";
      }
      case "push":
        return this.#push(job, timeoutMs);
      case "sms":
      case "voice": {
        const provider = job.channel === "sms" ? channels.sms : channels.voice;
        if (!provider || !job.phone) throw new PermanentDeliveryError(provider ? "no phone number" : `no ${job.channel} provider`);
        return this.#viaProvider(job, provider, job.phone, timeoutMs);
      }
      case "chat": {
        const robot = job.robot!;
        return this.#viaProvider(job, channels.robots[robot.kind], { url: robot.url, secret: robot.secret }, timeoutMs);
      }
      case "webhook":
        return this.#postWebhook(job, timeoutMs);
      default:
        throw new PermanentDeliveryError(`no sender for channel ${job.channel}`);
    }
  }

  /**
   * One person's browsers: sent once any push service took it. A subscription the push service
   * says is gone is forgotten; a retry goes only to the browsers not yet reached.
   */
  async #push(job: Job, timeoutMs: number): Promise<SendResult> {
    const { db, channels, scheduler } = this.#deps;
    if (!channels.push) throw new PermanentDeliveryError("Web Push is not set up");
    job.pushed ??= new Set();
    const targets = (await pushSubscriptionsOf(db, [job.staffId!])).filter((s) => !job.pushed!.has(s.id));
    if (!targets.length) {
      if (job.pushed.size) return "sent";
      throw new PermanentDeliveryError("no browser subscribed");
    }
    const purpose = job.purpose as NotifyPurpose;
    const fields = alertFields(job.incident, purpose);
    const payload: PushPayload = {
      title: `守望 · ${fields.hazard} · ${fields.lead}`,
      body: shortText(job.incident, purpose),
      tag: `incident-${job.incidentId}`,
      url: `/#/incidents/${job.incidentId}`,
      incidentId: job.incidentId,
      deliveryId: job.deliveryId,
      purpose,
      tier: job.tier,
      hazard: job.incident.hazard,
    };
    const outcomes = await Promise.all(
      targets.map(async (target) => ({
        target,
        outcome: await this.#withAbort(timeoutMs, (signal) => channels.push!.send(target, { text: JSON.stringify(payload), fields, outId: String(job.deliveryId) }, signal)).catch(
          (error: Error): SendOutcome => ({ status: "retry", reason: error.message }),
        ),
      })),
    );
    job.provider = channels.push.name;
    let retry: RetryLaterError | null = null;
    const refusals: string[] = [];
    for (const { target, outcome } of outcomes) {
      if (outcome.status === "accepted") {
        job.pushed.add(target.id);
        await markPushSent(db, target.id, scheduler.now());
      } else if (outcome.status === "retry") retry ??= new RetryLaterError(outcome.reason, outcome.afterMs);
      else {
        refusals.push(outcome.reason);
        if (/subscription gone/.test(outcome.reason)) await forgetPushSubscription(db, target.id);
      }
    }
    if (job.pushed.size) return "sent";
    if (retry) throw retry;
    throw new PermanentDeliveryError(refusals.join("; ").slice(0, 300));
  }

  async #viaProvider<To>(job: Job, provider: ProviderChannel<To>, to: To, timeoutMs: number): Promise<SendResult> {
    const purpose = job.purpose as NotifyPurpose;
    const outcome = await this.#withAbort(timeoutMs, (signal) =>
      provider.send(to, { text: shortText(job.incident, purpose), fields: alertFields(job.incident, purpose), outId: String(job.deliveryId), mentionPhones: job.mentionPhones }, signal),
    );
    job.provider = provider.name;
    if (outcome.status === "accepted") job.reference = outcome.reference;
    const result = sentOrThrow(outcome);
    // A call is delivered once answered: placed, it waits for the provider's report.
    if (provider.callResult && job.reference) {
      job.placedAtMs = this.#deps.scheduler.now();
      return "calling";
    }
    return result;
  }

  /** Runs one attempt with its own timeout, cancelled by close(). */
  async #withAbort<T>(timeoutMs: number, attempt: (signal: AbortSignal) => Promise<T>, what = "no answer"): Promise<T> {
    const abort = new AbortController();
    this.#aborts.add(abort);
    const timer = setTimeout(() => abort.abort(new Error(`${what} within ${timeoutMs} ms`)), timeoutMs);
    try {
      return await Promise.race([
        attempt(abort.signal),
        new Promise<never>((_, reject) => abort.signal.addEventListener("abort", () => reject(new RetryLaterError((abort.signal.reason as Error).message)), { once: true })),
      ]);
    } finally {
      clearTimeout(timer);
      this.#aborts.delete(abort);
    }
  }

  async #postWebhook(job: Job, timeoutMs: number): Promise<SendResult> {
    const hook = job.hook!;
    const now = this.#deps.scheduler.now();
    const timestampS = Math.floor(now / 1000);
    const body = JSON.stringify({ v: 1, event: `incident.${job.purpose}`, deliveryId: job.deliveryId, at: new Date(now).toISOString(), incident: job.incident });
    const response = await this.#withAbort(timeoutMs, async (signal) => {
      try {
        return await (this.#deps.fetch ?? fetch)(hook.url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            [SIGNATURE_HEADER]: signWebhook(hook.secret, timestampS, body),
            [TIMESTAMP_HEADER]: String(timestampS),
            [DELIVERY_HEADER]: String(job.deliveryId),
            [EVENT_HEADER]: `incident.${job.purpose}`,
          },
          body,
          signal,
          redirect: "manual",
        });
      } catch (error) {
        const reason = signal.aborted ? ((signal.reason as Error)?.message ?? "aborted") : (error as Error).message;
        throw new Error(`webhook not reached: ${reason}`);
      }
    }, "no answer").catch((error: Error) => {
      throw error instanceof RetryLaterError ? new Error(`webhook not reached: ${error.message}`) : error;
    });
    await response.body?.cancel().catch(() => {});
    if (response.ok) return "sent";
    // 408 and 429 mean "later"; any other 4xx means the receiver will never take this body.
    if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
      throw new PermanentDeliveryError(`webhook answered ${response.status}`);
    }
    throw new Error(`webhook answered ${response.status}`);
  }

  // ── recording ─────────────────────────────────────────────────────────────

  async #record(job: Job, outcome: DeliveryOutcome): Promise<void> {
    const now = this.#deps.scheduler.now();
    if (outcome.status === "calling") {
      job.attempts = outcome.attempts;
      this.#awaitCallResult(job, now + CALL_RESULT_AFTER_MS, CALL_RESULT_CHECKS);
      await this.#write(job, { status: "calling", attempts: outcome.attempts, lastError: null, completedAt: null, provider: job.provider ?? null, reference: job.reference ?? null, nextAttemptAt: now + CALL_RESULT_AFTER_MS, leaseUntil: now + CALL_RESULT_AFTER_MS + LEASE_MS, leaseOwner: this.#deps.instanceId }, null);
      return;
    }
    const done = outcome.status !== "retrying";
    let firstNotified: number | null = null;
    if (outcome.status === "sent" && NOTIFYING.has(job.channel) && !this.#notified.has(job.incidentId)) {
      // Only saves repeat writes; the UPDATE itself sets the time once.
      if (this.#notified.size > 10_000) this.#notified.clear();
      this.#notified.add(job.incidentId);
      firstNotified = job.incidentId;
    }
    const change: DeliveryChange = {
      status: outcome.status as DeliveryStatus,
      attempts: outcome.attempts,
      lastError: outcome.error?.slice(0, 500) ?? null,
      completedAt: done ? now : null,
      provider: job.provider ?? null,
      reference: job.reference ?? null,
      nextAttemptAt: outcome.retryAtMs ?? null,
      leaseUntil: outcome.retryAtMs !== undefined ? outcome.retryAtMs + LEASE_MS : null,
      leaseOwner: done ? null : this.#deps.instanceId,
    };
    await this.#write(job, change, firstNotified);
    if (done) this.#inHand.delete(job.deliveryId);
    if (done && job.round !== null) this.rounds.settle(job.round, job.incidentId, outcome.status === "sent");
  }

  #write(job: Job, change: DeliveryChange, firstNotified: number | null): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#outcomes.push({ id: job.deliveryId, change, firstNotified, settle: (error) => (error ? reject(error) : resolve()) });
      if (this.#outcomes.length === 1) setImmediate(() => void this.#flushOutcomes());
    });
  }

  /**
   * Asks the provider, at `atMs`, whether the call was answered. Answered: delivered. Not
   * answered: called again after the backoff while attempts remain (the provider's per-number
   * limit is one a minute), else failed. No report after the last check: the call stands as
   * placed, delivered, with a note that no result came.
   */
  #awaitCallResult(job: Job, atMs: number, checksLeft: number): void {
    this.#deps.scheduler.at(atMs, async () => {
      const provider = this.#deps.channels.voice;
      const attempts = job.attempts ?? 1;
      let result: "answered" | "unanswered" | "unknown" = "unknown";
      try {
        if (provider?.callResult) result = await this.#withAbort(this.#retry.voice.timeoutMs, (signal) => provider.callResult!(job.reference!, job.placedAtMs ?? atMs, signal));
      } catch {
        result = "unknown";
      }
      try {
        if (result === "answered") await this.#record(job, { status: "sent", attempts });
        else if (result === "unanswered" && attempts < this.#retry.voice.maxAttempts) {
          const waitMs = this.#retry.voice.baseDelayMs * 2 ** (attempts - 1);
          await this.#record(job, { status: "retrying", attempts, error: "the call was not answered", retryAtMs: this.#deps.scheduler.now() + waitMs });
          this.#queueFor(job).push(job, { attempts, notBeforeMs: this.#deps.scheduler.now() + waitMs });
        } else if (result === "unanswered") await this.#record(job, { status: "failed", attempts, error: "the call was not answered" });
        else if (checksLeft > 1) this.#awaitCallResult(job, this.#deps.scheduler.now() + 2 * 60_000, checksLeft - 1);
        else await this.#record(job, { status: "sent", attempts, error: "call placed; the provider reported no result" });
      } catch (error) {
        this.#deps.log("error", "could not record a call's result", { delivery: job.deliveryId, error: (error as Error).message });
      }
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

const queueName = (job: Job) => (job.channel === "chat" ? `chat:${job.robot!.id}` : job.channel === "webhook" ? `webhook:${job.hook!.id}` : job.channel);

/** The next place on `key`'s line, counting from 0. */
function nextPosition(positions: Map<string, number>, key: string): number {
  const position = positions.get(key) ?? 0;
  positions.set(key, position + 1);
  return position;
}

const isWatched = (row: DeliveryRow) => row.roundKey !== null && /^(notify|escalate|reopen):/.test(row.roundKey);
